import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as rsaSign,
  verify as rsaVerify,
  type KeyObject,
} from 'node:crypto';
import { performance } from 'node:perf_hooks';

/**
 * A simulated privacyIDEA Authenticator (push tokens only), written from the protocol
 * (push.md) and checked against the app (privacyidea/pi-authenticator, commit 408fafdc):
 * same URI parsing, key formats, signed strings, Dart timestamp format, form/query encoding,
 * field order and reply interpretation. It talks real HTTP (global fetch) and shares no code
 * with src/, so a server bug cannot hide behind a shared bug. The list of requests it makes is
 * at the end of this file.
 *
 * Tests: `new PushApp({ newKey: () => cachedPhoneKey() })` reuses one RSA-4096 key per process
 * (`cachedPhoneKey(1)` is a second one, e.g. for wrong-key signatures). Not emulated:
 * `sslverify=0` (fetch always checks certificates; tests use plain http) and the app's single
 * retry of an answer after a connection failure.
 */

export class PushAppError extends Error {}

/** The app's version string in User-Agent (pubspec 4.8.0). */
export const APP_VERSION = '4.8.0';
export const NO_FIREBASE_TOKEN = 'no_firebase_token';
/** What the current app announces (`canonicalizeJson(appPushCapabilities.names)`). */
export const APP_CAPABILITIES = '["decline_reason"]';
/** The app forgets a push request two minutes after receiving it. */
export const REQUEST_LIFETIME_MS = 120_000;
const HTTP_TIMEOUT_MS = 15_000;

export type DeclineReason = 'unknown_trigger' | 'cancelled';

/** A scanned `otpauth://pipush/…` URI, as the app's validators leave it. */
export interface PushUri {
  scheme: 'otpauth' | 'pia';
  label: string;
  issuer: string;
  serial: string;
  /** The registration URL as the app stores it (Dart `Uri.toString()`). */
  url: string;
  ttlMinutes: number;
  enrollmentCredential?: string;
  sslVerify: boolean;
  /** undefined when absent or unreadable (eduMFA URIs): the app then wants Firebase. */
  pollOnly?: boolean;
  version: string;
  pin?: boolean;
  image?: string;
  appForceUnlock?: string;
  /** Every query parameter, decoded (legacy `projectid`, `appid`, … end up only here). */
  params: Record<string, string>;
}

/** One push token as the app keeps it. */
export interface PushToken {
  serial: string;
  label: string;
  issuer: string;
  url: string;
  sslVerify: boolean;
  pollOnly?: boolean;
  enrollmentCredential?: string;
  /** Rollout deadline (scan time + ttl), epoch ms. */
  expiresAt: number;
  /** Phone private key, PKCS#8 PEM. */
  privateKey: string;
  /** Server key as the app stores it: base64 DER PKCS#1 RSAPublicKey, one line. */
  publicServerKey?: string;
  fbToken?: string;
  rolledOut: boolean;
}

export type PushRequestType = 'default' | 'choice' | 'code_to_phone';

/** A verified challenge waiting for the user. */
export interface PushRequest {
  type: PushRequestType;
  nonce: string;
  /** The challenge's url (Dart-normalized): answers go here, not to the token's URL. */
  url: string;
  serial: string;
  question: string;
  title: string;
  sslVerify: boolean;
  signature: string;
  possibleAnswers?: string[];
  displayCode?: string;
  /** Server capabilities whose signature verified; null if none were advertised (or dropped). */
  capabilities: Record<string, unknown> | null;
  expiresAt: number;
  /** The message data as received. */
  data: Record<string, unknown>;
}

/** Ways to make a request wrong on purpose. Everything else stays exactly as the app sends it. */
export interface Tamper {
  /** Sign with this private key instead of the token's. */
  key?: KeyObject | string;
  /** Sign this string instead of the protocol string. */
  message?: string;
  /** Send this literal as `signature`. */
  signature?: string;
  /** Damage the correct base32: lower case, padding removed, an invalid digit, cut short. */
  encoding?: 'lower' | 'unpadded' | 'junk' | 'truncated';
  /** Poll / Firebase update: this literal timestamp, signed as sent (e.g. `yesterday`). */
  timestamp?: string;
  /** Poll / Firebase update: shift the clock (negative = stale, positive = future). */
  skewMs?: number;
  /** Override or add fields (null removes one). Applied after signing. */
  fields?: Record<string, string | null>;
}

/** An HTTP request exactly as sent (replayable). */
export interface SentRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PushReply {
  sent: SentRequest;
  status: number;
  raw: string;
  /** Parsed JSON body (undefined if the body is not JSON). */
  json?: any;
  /** `result.value` of a JSON envelope. */
  value?: unknown;
  /** `result.error` of a JSON envelope. */
  error?: { code?: number; message?: string };
}

export interface RolloutResult extends PushReply {
  /** The app marked the token rolled out (HTTP < 400 and a readable PKCS#1 `public_key`). */
  ok: boolean;
  token: PushToken;
  /** Why the app failed the rollout. */
  failure?: string;
}

export interface Rejected {
  data: unknown;
  reason: string;
}

export interface PollResult extends PushReply {
  /** Verified requests from this poll that were new to the app. */
  requests: PushRequest[];
  /** Challenges the app dropped (bad signature, unknown serial, …). */
  rejected: Rejected[];
  /** Set when the app discards the whole reply (HTTP error, unreadable list). */
  failure?: string;
}

export interface AnswerResult extends PushReply {
  /** The app counts the answer as delivered (a success envelope) and forgets the request. */
  delivered: boolean;
}

export interface PushAppOptions {
  tokens?: PushToken[];
  requests?: PushRequest[];
  /** The device's Firebase registration token (needed for tokens that are not poll-only). */
  firebaseToken?: string;
  /** Emulate an app before capabilities: no `capabilities` field, never a `decline_reason`. */
  oldApp?: boolean;
  /** Source of new phone keys (default: a fresh RSA-4096 key, as the app does). */
  newKey?: () => KeyObject;
  /** Wall clock in epoch ms (request expiry, rollout deadline). */
  clock?: () => number;
}

export interface PushAppState {
  firebaseToken?: string;
  oldApp?: boolean;
  tokens: PushToken[];
  requests: PushRequest[];
}

export class PushApp {
  readonly tokens: PushToken[];
  requests: PushRequest[];
  firebaseToken?: string;
  oldApp: boolean;
  private readonly newKey: () => KeyObject;
  private readonly clock: () => number;

  constructor(opts: PushAppOptions = {}) {
    this.tokens = [...(opts.tokens ?? [])];
    this.requests = [...(opts.requests ?? [])];
    this.firebaseToken = opts.firebaseToken;
    this.oldApp = opts.oldApp ?? false;
    this.newKey = opts.newKey ?? generatePhoneKey;
    this.clock = opts.clock ?? Date.now;
  }

  toJSON(): PushAppState {
    return {
      firebaseToken: this.firebaseToken,
      oldApp: this.oldApp || undefined,
      tokens: this.tokens,
      requests: this.requests,
    };
  }

  static fromJSON(json: unknown, opts: Omit<PushAppOptions, 'tokens' | 'requests'> = {}) {
    const o = (json ?? {}) as Partial<PushAppState>;
    if (o.tokens !== undefined && !Array.isArray(o.tokens))
      throw new PushAppError('state: tokens must be an array');
    if (o.requests !== undefined && !Array.isArray(o.requests))
      throw new PushAppError('state: requests must be an array');
    return new PushApp({
      firebaseToken: o.firebaseToken,
      oldApp: o.oldApp,
      ...opts,
      tokens: o.tokens,
      requests: o.requests,
    });
  }

  token(serial: string): PushToken {
    const t = this.tokens.find((x) => x.serial === serial);
    if (!t) throw new PushAppError(`no push token ${serial}`);
    return t;
  }

  /** Requests still shown to the user (expired ones are dropped, as the app's timers do). */
  pending(): PushRequest[] {
    const now = this.clock();
    this.requests = this.requests.filter((r) => r.expiresAt > now);
    return this.requests;
  }

  request(nonce: string): PushRequest {
    const r = this.pending().find((x) => x.nonce === nonce);
    if (!r) throw new PushAppError(`no pending push request ${nonce}`);
    return r;
  }

  /** QR scan: stores the token (not rolled out yet) with a new phone key. */
  scan(uri: string, opts: { key?: KeyObject | string } = {}): PushToken {
    const p = parsePushUri(uri);
    if (p.version !== '1') throw new PushAppError(`push token version ${p.version} not supported`);
    if (this.tokens.some((t) => t.serial === p.serial))
      throw new PushAppError(`token ${p.serial} is already in the app`);
    const key = toPrivateKey(opts.key ?? this.newKey());
    const token: PushToken = {
      serial: p.serial,
      label: p.label,
      issuer: p.issuer,
      url: p.url,
      sslVerify: p.sslVerify,
      pollOnly: p.pollOnly,
      enrollmentCredential: p.enrollmentCredential,
      expiresAt: this.clock() + p.ttlMinutes * 60_000,
      privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      rolledOut: false,
    };
    this.tokens.push(token);
    return token;
  }

  /** scan + rollout, the normal QR flow. */
  async enroll(
    uri: string,
    opts: { key?: KeyObject | string; fields?: Tamper['fields'] } = {},
  ): Promise<RolloutResult> {
    const token = this.scan(uri, opts);
    return this.rollout(token.serial, opts);
  }

  /**
   * Enrollment stage 2 (push.md §3). Like the app, refuses after the ttl (the token is then
   * removed) unless `ignoreExpiry`, and may be retried after a failure. `fields` overrides form
   * fields (null drops one), e.g. `{ pubkey: 'junk' }`.
   */
  async rollout(
    serial: string,
    opts: { fields?: Tamper['fields']; ignoreExpiry?: boolean } = {},
  ): Promise<RolloutResult> {
    const token = this.token(serial);
    if (token.rolledOut) throw new PushAppError(`token ${serial} is already rolled out`);
    if (!opts.ignoreExpiry && token.expiresAt < this.clock()) {
      this.tokens.splice(this.tokens.indexOf(token), 1);
      throw new PushAppError(`token ${serial} expired before rollout`);
    }
    let fbToken: string | undefined;
    if (token.pollOnly !== true) {
      fbToken = this.firebaseToken;
      if (fbToken === undefined)
        throw new PushAppError('no Firebase token (token is not poll-only)');
    }
    // Dart's http client refuses a null form value: no credential in the URI, no request.
    if (token.enrollmentCredential === undefined)
      throw new PushAppError('enrollment_credential missing in the URI');
    const fields: Fields = [
      ['enrollment_credential', token.enrollmentCredential],
      ['serial', token.serial],
      ['fbtoken', fbToken ?? NO_FIREBASE_TOKEN],
      ['pubkey', phonePubkeyField(token.privateKey)],
      ...this.capabilityField(),
    ];
    const reply = await send(postRequest(token.url, applyFields(fields, opts.fields)));
    if (reply.status >= 400) return { ...reply, ok: false, token, failure: `HTTP ${reply.status}` };
    let key: string;
    try {
      key = readServerKey(reply.json);
    } catch (e) {
      return { ...reply, ok: false, token, failure: (e as Error).message };
    }
    token.publicServerKey = key;
    token.fbToken = fbToken;
    token.rolledOut = true;
    return { ...reply, ok: true, token };
  }

  /**
   * A Firebase data message (§5.2): either the `data` object or the whole FCM request body
   * `{message: {data, …}}`. Returns the request if the app would show it.
   */
  receive(message: unknown): { request?: PushRequest; rejected?: Rejected } {
    const m = message as { message?: { data?: unknown } } | null;
    const data = m?.message?.data ?? message;
    const problem = checkMessageData(data);
    if (problem) return { rejected: { data, reason: problem } };
    return this.handle(data as Record<string, unknown>);
  }

  /** GET poll (§6.2) for one token; new verified challenges join `pending()`. */
  async poll(serial: string, tamper: Tamper = {}): Promise<PollResult> {
    const token = this.rolledOutToken(serial);
    const timestamp = this.timestamp(tamper);
    const signature = signFor(token, pollMessage(token.serial, timestamp), tamper);
    const fields = applyFields(
      [
        ['serial', token.serial],
        ['timestamp', timestamp],
        ['signature', signature],
        ...this.capabilityField(),
      ],
      tamper.fields,
    );
    const reply = await send(getRequest(token.url, fields));
    return { ...reply, ...this.readPoll(reply) };
  }

  /** Polls every rolled-out token, as the app's timer does every 3 s. */
  async pollAll(): Promise<PollResult[]> {
    const out: PollResult[] = [];
    for (const t of this.tokens.filter((x) => x.rolledOut)) out.push(await this.poll(t.serial));
    return out;
  }

  async accept(nonce: string | PushRequest, tamper: Tamper = {}): Promise<AnswerResult> {
    return this.respond(this.resolve(nonce), { accepted: true }, tamper);
  }

  /**
   * Decline (§6.1). The reason is sent and signed only when the server advertised a verified
   * `decline_reason` capability allowing it; `cancelled` is the app's "cancel" action.
   */
  async decline(
    nonce: string | PushRequest,
    reason: DeclineReason = 'unknown_trigger',
    tamper: Tamper = {},
  ): Promise<AnswerResult> {
    return this.respond(this.resolve(nonce), { accepted: false, reason }, tamper);
  }

  /** Number matching (§8): accept with the option the user tapped. */
  async answer(
    nonce: string | PushRequest,
    presence: string,
    tamper: Tamper = {},
  ): Promise<AnswerResult> {
    return this.respond(this.resolve(nonce), { accepted: true, presence }, tamper);
  }

  /** The answer POST for any request object (also one the app no longer holds). */
  async respond(
    req: PushRequest,
    how: { accepted: boolean; reason?: DeclineReason; presence?: string },
    tamper: Tamper = {},
  ): Promise<AnswerResult> {
    const token = this.rolledOutToken(req.serial);
    const reason = how.accepted ? undefined : this.negotiatedReason(req, how.reason);
    const fields: Fields = [
      ['serial', token.serial],
      ['nonce', req.nonce],
    ];
    if (!how.accepted) fields.push(['decline', '1']);
    if (reason) fields.push(['decline_reason', reason]);
    if (how.presence !== undefined) fields.push(['presence_answer', how.presence]);
    const message = how.accepted
      ? acceptMessage(req.nonce, token.serial, how.presence)
      : declineMessage(req.nonce, token.serial, reason);
    fields.push(['signature', signFor(token, message, tamper)]);
    const reply = await send(postRequest(req.url, applyFields(fields, tamper.fields)));
    // The app forgets the request unless the server answered with an error envelope.
    const delivered = reply.json !== undefined && reply.error === undefined;
    if (delivered) this.requests = this.requests.filter((r) => r.nonce !== req.nonce);
    return { ...reply, delivered };
  }

  /** Firebase token update (§6.3); poll-only tokens send `no_firebase_token`, as the app does. */
  async updateFirebaseToken(
    serial: string,
    newToken?: string,
    tamper: Tamper = {},
  ): Promise<PushReply & { ok: boolean }> {
    const token = this.rolledOutToken(serial);
    const fb = newToken ?? (token.pollOnly ? NO_FIREBASE_TOKEN : this.firebaseToken);
    if (fb === undefined) throw new PushAppError('no Firebase token');
    const timestamp = this.timestamp(tamper);
    const fields = applyFields(
      [
        ['new_fb_token', fb],
        ['serial', token.serial],
        ['timestamp', timestamp],
        ['signature', signFor(token, fbTokenMessage(fb, token.serial, timestamp), tamper)],
        ...this.capabilityField(),
      ],
      tamper.fields,
    );
    const reply = await send(postRequest(token.url, fields));
    const ok = reply.status < 400;
    if (ok) token.fbToken = fb;
    return { ...reply, ok };
  }

  /** Sends a recorded request again, byte for byte. */
  replay(sent: SentRequest): Promise<PushReply> {
    return send(sent);
  }

  private resolve(nonce: string | PushRequest): PushRequest {
    return typeof nonce === 'string' ? this.request(nonce) : nonce;
  }

  private rolledOutToken(serial: string): PushToken {
    const t = this.token(serial);
    if (!t.rolledOut) throw new PushAppError(`token ${serial} is not rolled out`);
    return t;
  }

  private capabilityField(): Fields {
    return this.oldApp ? [] : [['capabilities', APP_CAPABILITIES]];
  }

  private timestamp(tamper: Tamper): string {
    if (tamper.timestamp !== undefined) return tamper.timestamp;
    const skew = BigInt(Math.round((tamper.skewMs ?? 0) * 1000));
    return dartTimestamp(nowMicros() + skew);
  }

  private negotiatedReason(req: PushRequest, reason?: DeclineReason): DeclineReason | undefined {
    if (this.oldApp || !reason || !req.capabilities) return undefined;
    const entry = req.capabilities.decline_reason;
    if (entry === undefined || entry === null || entry === false) return undefined;
    const values = (entry as { values?: unknown }).values;
    if (typeof entry === 'object' && !Array.isArray(entry) && Array.isArray(values))
      return values.includes(reason) ? reason : undefined;
    return reason;
  }

  /** The app's reading of a poll reply: any malformed item discards the whole list. */
  private readPoll(reply: PushReply): Omit<PollResult, keyof PushReply> {
    const none = { requests: [], rejected: [] };
    if (reply.status !== 200) return { ...none, failure: `HTTP ${reply.status}` };
    const list = (reply.json as { result?: { value?: unknown } } | undefined)?.result?.value;
    if (!Array.isArray(list)) return { ...none, failure: 'result.value is not a list' };
    for (const item of list) {
      const problem = checkMessageData(item);
      if (problem) return { ...none, failure: problem };
    }
    const requests: PushRequest[] = [];
    const rejected: Rejected[] = [];
    for (const item of list as Record<string, unknown>[]) {
      const r = this.handle(item);
      if (r.request) requests.push(r.request);
      if (r.rejected) rejected.push(r.rejected);
    }
    return { requests, rejected };
  }

  /** Foreground handling: token by the challenge's serial, rolled out, signatures verify. */
  private handle(data: Record<string, unknown>): { request?: PushRequest; rejected?: Rejected } {
    const reject = (reason: string) => ({ rejected: { data, reason } });
    const req = toRequest(data, this.clock() + REQUEST_LIFETIME_MS);
    const token = this.tokens.find((t) => t.serial === req.serial);
    if (!token) return reject(`no token ${req.serial}`);
    if (!token.rolledOut || !token.publicServerKey) return reject('token not rolled out');
    const key = serverKeyObject(token.publicServerKey);
    if (!verifyBase32(key, challengeMessage(req), req.signature))
      return reject('bad challenge signature');
    const caps = readCapabilities(data);
    if (caps) {
      const doc = canonicalJson({ capabilities: caps.capabilities, nonce: req.nonce });
      if (!verifyBase32(key, doc, caps.signature)) return reject('bad capabilities signature');
      req.capabilities = caps.capabilities;
    }
    if (this.pending().some((r) => r.nonce === req.nonce)) return reject('already known');
    this.requests.push(req);
    return { request: req };
  }
}

// ---------------------------------------------------------------------------------------------
// Signed strings (push.md §4) and signatures.

/** Server → app; the url is the app's parsed form, `require_presence` / `display_code` appended. */
export function challengeMessage(r: {
  nonce: string;
  url: string;
  serial: string;
  question: string;
  title: string;
  sslVerify: boolean;
  possibleAnswers?: string[];
  displayCode?: string;
}): string {
  let s = `${r.nonce}|${r.url}|${r.serial}|${r.question}|${r.title}|${r.sslVerify ? '1' : '0'}`;
  if (r.possibleAnswers) s += `|${r.possibleAnswers.join(',')}`;
  else if (r.displayCode !== undefined) s += `|${r.displayCode}`;
  return s;
}

export const acceptMessage = (nonce: string, serial: string, presence?: string) =>
  presence === undefined ? `${nonce}|${serial}` : `${nonce}|${serial}|${presence}`;
export const declineMessage = (nonce: string, serial: string, reason?: string) =>
  `${nonce}|${serial}|decline${reason ? `|${reason}` : ''}`;
export const pollMessage = (serial: string, timestamp: string) => `${serial}|${timestamp}`;
export const fbTokenMessage = (fb: string, serial: string, timestamp: string) =>
  `${fb}|${serial}|${timestamp}`;

/** RSASSA-PKCS1-v1_5 / SHA-256 over the UTF-8 message, base32 with padding. */
export function signBase32(key: KeyObject | string, message: string): string {
  return base32Encode(rsaSign('sha256', Buffer.from(message, 'utf8'), toPrivateKey(key)));
}

/** The app's check: its base32 decoder, then PKCS#1 v1.5 / SHA-256; never throws. */
export function verifyBase32(key: KeyObject, message: string, signature: string): boolean {
  const sig = base32Decode(signature);
  if (!sig) return false;
  try {
    return rsaVerify('sha256', Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

function signFor(token: PushToken, message: string, tamper: Tamper): string {
  if (tamper.signature !== undefined) return tamper.signature;
  const sig = signBase32(tamper.key ?? token.privateKey, tamper.message ?? message);
  switch (tamper.encoding) {
    case 'lower':
      return sig.toLowerCase();
    case 'unpadded':
      return sig.replace(/=+$/, '');
    case 'junk':
      return '1' + sig.slice(1); // `1` is no base32 digit; same length
    case 'truncated':
      return sig.slice(0, 16);
    default:
      return sig;
  }
}

// ---------------------------------------------------------------------------------------------
// Keys.

let keyCache: KeyObject[] = [];

/** A fresh RSA-4096 phone key (e = 65537), as the app generates at rollout (~1–3 s). */
export function generatePhoneKey(bits = 4096): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 }).privateKey;
}

/** One RSA-4096 key per slot and process, for tests that enroll many tokens. */
export function cachedPhoneKey(slot = 0): KeyObject {
  while (keyCache.length <= slot) keyCache = [...keyCache, generatePhoneKey()];
  return keyCache[slot];
}

function toPrivateKey(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? createPrivateKey(key) : key;
}

/** Stage-2 `pubkey`: base64 DER SubjectPublicKeyInfo, one line (the app's PKCS8 serializer). */
export function phonePubkeyField(key: KeyObject | string): string {
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

/**
 * The app's reading of the stage-2 reply: `detail.public_key`, `\n` removed (only that), strict
 * base64, an ASN.1 PKCS#1 RSAPublicKey. Returns the one-line base64 the app stores.
 */
export function readServerKey(json: unknown): string {
  const key = (json as { detail?: { public_key?: unknown } } | undefined)?.detail?.public_key;
  if (typeof key !== 'string') throw new PushAppError('reply has no detail.public_key');
  const b64 = key.replaceAll('\n', '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64))
    throw new PushAppError('public_key is not base64');
  try {
    serverKeyObject(b64);
  } catch {
    throw new PushAppError('public_key is not a PKCS#1 RSAPublicKey');
  }
  return b64;
}

export function serverKeyObject(pkcs1Base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(pkcs1Base64, 'base64'), format: 'der', type: 'pkcs1' });
}

// ---------------------------------------------------------------------------------------------
// Message data (Firebase data / poll items).

const REQUIRED_STRINGS = ['title', 'question', 'url', 'nonce', 'sslverify', 'serial', 'signature'];

/** `PushRequest.verifyMessageData`: the seven fields must be strings. */
function checkMessageData(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not an object';
  const d = data as Record<string, unknown>;
  for (const f of REQUIRED_STRINGS) if (typeof d[f] !== 'string') return `${f} is not a string`;
  try {
    dartUriString(d.url as string);
  } catch {
    return 'url is not a URI';
  }
  return undefined;
}

/** The factory's choice: `require_presence` → choice, `display_code` → code to phone. */
function toRequest(d: Record<string, unknown>, expiresAt: number): PushRequest {
  const s = (k: string) => d[k] as string;
  const base = {
    nonce: s('nonce'),
    url: dartUriString(s('url')),
    serial: s('serial'),
    question: s('question'),
    title: s('title'),
    sslVerify: s('sslverify') === '1',
    signature: s('signature'),
    capabilities: null,
    expiresAt,
    data: d,
  };
  if (typeof d.require_presence === 'string')
    return { ...base, type: 'choice', possibleAnswers: d.require_presence.split(',') };
  if (typeof d.display_code === 'string')
    return { ...base, type: 'code_to_phone', displayCode: d.display_code };
  return { ...base, type: 'default' };
}

/**
 * `SignedCapabilities.fromMessageData`: absent → none; a JSON string (Firebase) or an object
 * (poll); unreadable shapes are dropped (the request still counts), never rejected.
 */
function readCapabilities(
  d: Record<string, unknown>,
): { capabilities: Record<string, unknown>; signature: string } | undefined {
  const raw = d.capabilities;
  if (raw === undefined || raw === null) return undefined;
  if (typeof d.capabilities_signature !== 'string') return undefined;
  let decoded: unknown = raw;
  if (typeof raw === 'string') {
    try {
      decoded = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return undefined;
  if (!capabilityValueOk(decoded)) return undefined;
  return {
    capabilities: decoded as Record<string, unknown>,
    signature: d.capabilities_signature,
  };
}

function capabilityValueOk(v: unknown): boolean {
  if (typeof v === 'boolean' || typeof v === 'string') return true;
  if (Array.isArray(v)) return v.every(capabilityValueOk);
  if (typeof v === 'object' && v !== null) return Object.values(v).every(capabilityValueOk);
  return false;
}

/** RFC 8785 for booleans, strings, lists and objects, escaping as the app's canonicalizer. */
export function canonicalJson(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return jsonString(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort(); // UTF-16 code unit order, as RFC 8785
    return `{${keys.map((k) => `${jsonString(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new PushAppError(`cannot canonicalize ${typeof v}`);
}

const SHORT_ESCAPES: Record<number, string> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += SHORT_ESCAPES[c] ?? (c < 0x20 ? `\\u${c.toString(16).padStart(4, '0')}` : s[i]);
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// Base32 (RFC 4648).

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Upper case with `=` padding (both sides emit this form). */
export function base32Encode(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of buf) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out + '='.repeat((8 - (out.length % 8)) % 8);
}

/**
 * The app's decoder (base32_helper.dart): pads to a multiple of 8, then requires
 * `[A-Z2-7=]` (upper case only); data ends at the first `=`. undefined = FormatException.
 */
export function base32Decode(input: string): Buffer | undefined {
  const s = input.padEnd(input.length + ((8 - (input.length % 8)) % 8), '=');
  if (!/^[A-Z2-7=]*$/.test(s)) return undefined;
  const end = s.indexOf('=');
  const data = end < 0 ? s : s.slice(0, end);
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of data) {
    acc = (acc << 5) | B32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 255);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------
// Dart semantics: timestamps, Uri.toString(), query/form encoding.

function nowMicros(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

/**
 * `DateTime.now().toUtc().toIso8601String()`: milliseconds always, three more digits for the
 * microseconds unless they are 0 (so usually 6 fractional digits, sometimes 3), then `Z`.
 */
export function dartTimestamp(epochMicros: bigint | number): string {
  const us = BigInt(epochMicros);
  const micro = Number(((us % 1000n) + 1000n) % 1000n);
  const iso = new Date(Number((us - BigInt(micro)) / 1000n)).toISOString();
  return micro === 0 ? iso : `${iso.slice(0, -1)}${String(micro).padStart(3, '0')}Z`;
}

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const URI_ALLOWED = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?]/;

function normalizeComponent(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      const ch = String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      out += UNRESERVED.test(ch) ? ch : s.slice(i, i + 3).toUpperCase();
      i += 3;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    out += URI_ALLOWED.test(ch)
      ? ch
      : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase()).join('');
    i += ch.length;
  }
  return out;
}

function removeDotSegments(path: string): string {
  if (!/(^|\/)\.\.?(\/|$)/.test(path)) return path;
  const out: string[] = [];
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === '..') {
      if (out.length > 1 || (out.length === 1 && out[0] !== '')) out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else out.push(seg);
  }
  return out.join('/');
}

/**
 * `Uri.parse(s).toString()` for the URLs push uses: lower-case scheme and host, default port
 * dropped, `%xx` normalized (unreserved decoded, hex upper case), illegal characters escaped,
 * dot segments removed. The app signs/verifies with this form, not the string it received.
 */
export function dartUriString(input: string): string {
  const m =
    /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(
      input,
    );
  if (!m) throw new PushAppError(`not a URI: ${input}`);
  const [, scheme, authority, path, query, fragment] = m;
  const sch = scheme?.toLowerCase();
  let out = sch ? `${sch}:` : '';
  if (authority !== undefined) {
    const at = authority.lastIndexOf('@');
    const userInfo = at < 0 ? undefined : authority.slice(0, at);
    const hostPort = authority.slice(at + 1);
    const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (!pm) throw new PushAppError(`bad authority: ${authority}`);
    let port = pm[2] === undefined || pm[2] === '' ? undefined : String(Number(pm[2]));
    if (port !== undefined && sch && DEFAULT_PORTS[sch] === port) port = undefined;
    out += '//';
    if (userInfo !== undefined) out += normalizeComponent(userInfo) + '@';
    out += normalizeComponent(pm[1]).toLowerCase();
    if (port !== undefined) out += `:${port}`;
  }
  const p = normalizeComponent(path);
  out += sch && (authority !== undefined || p.startsWith('/')) ? removeDotSegments(p) : p;
  if (query !== undefined) out += `?${normalizeComponent(query)}`;
  if (fragment !== undefined) out += `#${normalizeComponent(fragment)}`;
  return out;
}

/** Dart `Uri.decodeQueryComponent`: `+` is a space, `%XX` UTF-8. */
function decodeQueryComponent(s: string): string {
  return decodePercent(s.replaceAll('+', ' '));
}

/** Dart `Uri.decodeFull`/`decodeComponent`: `%XX` as UTF-8, `+` kept; bad escapes throw. */
function decodePercent(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new PushAppError(`bad escape in ${s}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Dart `Uri.encodeQueryComponent` (form bodies and `queryParameters`): space → `+`. */
function encodeQueryComponent(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else
      for (const b of Buffer.from(ch, 'utf8'))
        out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

type Fields = [string, string][];

export function formEncode(fields: Fields): string {
  return fields.map(([k, v]) => `${encodeQueryComponent(k)}=${encodeQueryComponent(v)}`).join('&');
}

function applyFields(fields: Fields, over?: Record<string, string | null>): Fields {
  if (!over) return fields;
  const out: Fields = [];
  for (const [k, v] of fields) {
    if (!(k in over)) out.push([k, v]);
    else if (over[k] !== null) out.push([k, over[k]]);
  }
  for (const [k, v] of Object.entries(over))
    if (v !== null && !fields.some(([f]) => f === k)) out.push([k, v]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// URI parsing (OtpAuthProcessor + PushToken validators).

/**
 * Parses `otpauth://pipush/<label>?…` (or `pia://pipush/…`) as the app does: query values
 * decoded once (`+` = space), label `issuer:label` split at `:`, otherwise `issuer` decoded a
 * second time; `sslverify` 1/0/true/false (anything else → true); `poll_only` True/False
 * (anything else → absent); `ttl` minutes (missing/unreadable → 3, ≤ 0 refused); `url` without
 * scheme gets `https://`. `v` is checked by `scan` (only `1`).
 */
export function parsePushUri(uri: string): PushUri {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(uri.trim());
  if (!m) throw new PushAppError('not a URI');
  const scheme = m[1].toLowerCase();
  if (scheme !== 'otpauth' && scheme !== 'pia') throw new PushAppError(`scheme ${scheme}`);
  const host = m[2].toLowerCase();
  const params: Record<string, string> = {};
  for (const part of (m[4] ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    params[k] = decodeQueryComponent(eq < 0 ? '' : part.slice(eq + 1)); // last one wins
  }
  const type = (params.tokentype ?? host).toLowerCase();
  if (type !== 'pipush' && type !== 'push') throw new PushAppError(`not a push token: ${type}`);

  const labelPart = decodePercent(m[3].slice(1));
  let label = labelPart;
  let issuer: string;
  if (labelPart.includes(':')) [issuer, label] = labelPart.split(':');
  else {
    issuer = params.issuer ?? '';
    try {
      issuer = decodePercent(issuer);
    } catch {
      /* the app keeps the once-decoded value */
    }
  }

  if (params.serial === undefined) throw new PushAppError('serial missing');
  if (params.v === undefined) throw new PushAppError('v missing');
  if (params.url === undefined) throw new PushAppError('url missing');
  let url = params.url;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url))
    url = url.startsWith('//') ? `https:${url}` : `https://${url}`;
  url = dartUriString(url);

  const bool = (v: string | undefined) => {
    const l = v?.toLowerCase();
    return l === 'true' || l === '1' ? true : l === 'false' || l === '0' ? false : undefined;
  };
  let ttlMinutes = 3;
  if (params.ttl !== undefined && /^[+-]?\d+$/.test(params.ttl)) {
    ttlMinutes = Number(params.ttl);
    if (ttlMinutes <= 0) throw new PushAppError(`ttl ${params.ttl} not allowed`);
  }
  return {
    scheme,
    label,
    issuer,
    serial: params.serial,
    url,
    ttlMinutes,
    enrollmentCredential: params.enrollment_credential,
    sslVerify: bool(params.sslverify) ?? true,
    pollOnly: bool(params.poll_only),
    version: params.v,
    pin: bool(params.pin),
    image: params.image,
    appForceUnlock: params.app_force_unlock,
    params,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP (Dart IOClient: 15 s timeout, POST redirects not followed).

function postRequest(url: string, fields: Fields): SentRequest {
  return {
    method: 'POST',
    url,
    headers: {
      'User-Agent': `privacyIDEA-App/${APP_VERSION} android/14`,
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: formEncode(fields),
  };
}

/** `url.replace(queryParameters: {...url.queryParametersAll, ...params})`. */
function getRequest(url: string, fields: Fields): SentRequest {
  const q = url.indexOf('?');
  const base = q < 0 ? url : url.slice(0, q);
  const existing: Fields = [];
  if (q >= 0)
    for (const part of url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
      if (!fields.some(([f]) => f === k))
        existing.push([k, decodeQueryComponent(eq < 0 ? '' : part.slice(eq + 1))]);
    }
  return {
    method: 'GET',
    url: `${base}?${formEncode([...existing, ...fields])}`,
    headers: { 'User-Agent': `privacyIDEA-App / android ${APP_VERSION}` },
  };
}

async function send(req: SentRequest): Promise<PushReply> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: req.method === 'POST' ? 'manual' : 'follow',
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch (e) {
    throw new PushAppError(`${req.method} ${req.url}: ${(e as Error).message}`);
  }
  const raw = await res.text();
  const reply: PushReply = { sent: req, status: res.status, raw };
  try {
    reply.json = JSON.parse(raw);
  } catch {
    return reply;
  }
  const result = (reply.json as { result?: { value?: unknown; error?: unknown } } | null)?.result;
  if (result && typeof result === 'object') {
    reply.value = result.value;
    if (result.error && typeof result.error === 'object') reply.error = result.error;
  }
  return reply;
}

/*
 * Requests the app makes (all to the token's `url` from the URI, except answers, which go to
 * the challenge's `url`). POST bodies are `application/x-www-form-urlencoded; charset=utf-8`,
 * fields in this order, encoded with Dart's `encodeQueryComponent` (only A-Z a-z 0-9 - . _ ~
 * literal, space as `+`, so base64 `+/=` and base32 `=` arrive as %2B %2F %3D). POST
 * User-Agent `privacyIDEA-App/4.8.0 android/14`, GET `privacyIDEA-App / android 4.8.0` (both
 * get the second URL-unquoting pass). `capabilities` = `["decline_reason"]` is omitted by old
 * apps (`oldApp`) and is never signed. Signatures: base32, upper case, `=`-padded, over the
 * UTF-8 string shown.
 *
 * 1. Enrollment stage 2: POST <url>
 *      enrollment_credential=<from URI>&serial=<S>&fbtoken=<FCM token | no_firebase_token>
 *      &pubkey=<base64 DER SPKI, one line>&capabilities=["decline_reason"]
 *    expect 200, result.value true, detail.public_key = PKCS#1 PEM body (64-char lines,
 *    `\n`), detail.rollout_state "enrolled", detail.serial S. Errors: HTTP ≥ 400 error
 *    envelope (404 unknown serial / not clientwait; 400 bad or missing credential).
 * 2. Poll: GET <url>?serial=<S>&timestamp=<ts>&signature=<sig>&capabilities=%5B%22decline_reason%22%5D
 *      ts = Dart UTC ISO 8601, e.g. 2025-05-01T12:34:56.789012Z (3 fraction digits when the
 *      microseconds are 0); signed `S|ts`
 *    expect 200, result.value = list of {nonce, question, serial, title, sslverify ("1"/"0"),
 *    url, signature[, require_presence, version "2"][, capabilities, capabilities_signature]},
 *    all strings, each signed `nonce|url|serial|question|title|sslverify[|require_presence]`
 *    with the server key (the app drops items that fail; one non-string field drops the whole
 *    list). Errors: 400 `ERR10: Could not verify signature!`, 400 `… not in valid range.`,
 *    400 `Could not parse timestamp …`, 403 `Polling not allowed!`.
 * 3. Accept: POST <challenge url>  serial=<S>&nonce=<N>&signature=<sig of `N|S`>
 *    Accept with presence: … &nonce=<N>&presence_answer=<X>&signature=<sig of `N|S|X`>
 *    Decline: serial=<S>&nonce=<N>&decline=1&signature=<sig of `N|S|decline`>
 *    Decline with reason (only after a verified `decline_reason` capability):
 *      … &decline=1&decline_reason=<unknown_trigger|cancelled>&signature=<sig of `N|S|decline|R`>
 *    expect 200, result.value true (answer recorded) or false (no open row verifies, wrong
 *    presence answer, junk base32); 404 for an unknown serial. The app only treats an error
 *    envelope as a failed delivery.
 * 4. Firebase token update: POST <url>
 *      new_fb_token=<T>&serial=<S>&timestamp=<ts>&signature=<sig of `T|S|ts`>&capabilities=…
 *    (poll-only tokens send T = no_firebase_token). Expect 200, result.value true; timestamp
 *    window ±5 min; failures 400 `ERR10: Could not verify signature!` (or timestamp errors).
 */
