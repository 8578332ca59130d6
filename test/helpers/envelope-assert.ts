import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/**
 * Texts that must never reach a client (README "No 5xx for client input, no internals in
 * bodies"): stack frames, module paths, source positions and database driver errors.
 */
const LEAKS: [RegExp, string][] = [
  [/\bat [\w$.<>[\] ]+ \(/, 'stack frame "at fn ("'],
  [/\n\s+at /, 'stack frame line'],
  [/node_modules/, 'module path'],
  [/\.ts:/, 'source position'],
  [/QueryFailedError/, 'driver error'],
  [/SQLITE_|\bER_[A-Z_]{4,}|sqlMessage/, 'database error code'],
];

/** The raw body text of a response, whatever its content type. */
export function bodyText(res: Response): string {
  if (typeof res.text === 'string' && res.text.length > 0) return res.text;
  return res.body === undefined ? '' : JSON.stringify(res.body);
}

/** No internals in the body and never a 5xx for client input. */
export function expectClean(res: Response): void {
  const text = bodyText(res);
  for (const [re, what] of LEAKS) {
    if (re.test(text)) throw new Error(`response leaks ${what}: ${text.slice(0, 500)}`);
  }
  expect(res.status).toBeLessThan(500);
}

/**
 * privacyIDEA's JSON error envelope (README "Error envelope"): status false, a numeric code,
 * a string message, detail null or an object, no versionnumber.
 */
export function expectError(
  res: Response,
  status: number,
  code: number,
  message?: string | RegExp,
): void {
  expectClean(res);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.body as Record<string, any>;
  expect({ status: res.status, code: body?.result?.error?.code }).toEqual({ status, code });
  expect(body.jsonrpc).toBe('2.0');
  expect(body.result.status).toBe(false);
  expect(typeof body.result.error.message).toBe('string');
  expect(body.detail === null || typeof body.detail === 'object').toBe(true);
  expect(body).not.toHaveProperty('versionnumber');
  expect(body).not.toHaveProperty('result.value');
  if (typeof message === 'string') expect(body.result.error.message).toBe(message);
  else if (message) expect(body.result.error.message).toMatch(message);
}

/**
 * A body over the limit: 413 in the error envelope, or (also a refusal) the connection reset
 * while the client was still sending.
 */
export async function expectTooLarge(req: PromiseLike<Response>): Promise<void> {
  let res: Response;
  try {
    res = await req;
  } catch (e) {
    expect((e as { code?: string }).code).toMatch(/^(ECONNRESET|EPIPE)$/);
    return;
  }
  expectError(res, 413, 905, 'ERR905: Request body too large');
}

/** A management success envelope (id 1, no result.authentication). */
export function expectOk(res: Response, value?: unknown): void {
  expectClean(res);
  if (res.status !== 200)
    throw new Error(`expected 200, got ${res.status}: ${bodyText(res).slice(0, 400)}`);
  const body = res.body as Record<string, any>;
  expect(body.jsonrpc).toBe('2.0');
  expect(body.id).toBe(1);
  expect(body.result.status).toBe(true);
  expect(body.result).not.toHaveProperty('authentication');
  if (value !== undefined) expect(body.result.value).toEqual(value);
}

/** Admin listing of the tokens matching `query` (pagesize large enough for a test file). */
export async function listTokens(t: TestApp, query: Record<string, string> = {}, jwt = t.admin) {
  const res = await t
    .http()
    .get('/token/')
    .query({ pagesize: '1000', ...query })
    .set('Authorization', `Bearer ${jwt}`);
  expectOk(res);
  return res.body.result.value as {
    tokens: Record<string, any>[];
    count: number;
    prev: number | null;
    next: number | null;
    current: number;
  };
}

/** Number of tokens in the database, as an admin sees it. */
export async function tokenCount(t: TestApp): Promise<number> {
  return (await listTokens(t, { pagesize: '1' })).count;
}

/** RFC 4648 base32 without padding, upper case (what otpauth:// carries). */
export function base32(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** base32check of a payload: base32(first 4 bytes of SHA-1(payload) || payload). */
export function base32check(payload: Buffer): string {
  const checksum = createHash('sha1').update(payload).digest().subarray(0, 4);
  return base32(Buffer.concat([checksum, payload]));
}

/** A `data:image/png;base64,` URI whose payload really is a PNG. */
export function expectPngDataUri(uri: unknown): void {
  expect(typeof uri).toBe('string');
  const text = uri as string;
  expect(text.startsWith('data:image/png;base64,')).toBe(true);
  const png = Buffer.from(text.slice('data:image/png;base64,'.length), 'base64');
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
}
