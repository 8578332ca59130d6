import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * A simulated TiQR smartphone app, written from the protocol (tiqr.md) and behaving like the
 * current TiQR Android core (Tiqr/tiqr-app-core-android): same requests, headers, form encoding,
 * URL parsing, OCRA computation and reply interpretation. It talks real HTTP (global fetch) and
 * deliberately shares no code with src/, so a server bug cannot hide behind a shared bug.
 */

export type OcraVariant = 'android' | 'rfc';

export type ReplyKind =
  | 'OK'
  | 'INVALID_RESPONSE'
  | 'INVALID_CHALLENGE'
  | 'ACCOUNT_BLOCKED'
  | 'INVALID_USERID'
  | 'INVALID_REQUEST'
  | 'OTHER';

/** The server's answer to an authentication, read the way the app reads it. */
export interface TiqrReply {
  status: number;
  contentType: string;
  raw: string;
  kind: ReplyKind;
  attemptsLeft?: number;
  /** JSON v2 `duration` (minutes of a temporary block). */
  duration?: number;
}

export interface EnrollmentMetadata {
  service: {
    displayName: string;
    identifier: string;
    logoUrl: string;
    infoUrl: string;
    authenticationUrl: string;
    ocraSuite: string;
    enrollmentUrl: string;
  };
  identity: { identifier: string; displayName: string };
}

/** One enrolled account, as the app stores it (identity + identity provider + secret). */
export interface TiqrIdentity {
  identifier: string;
  displayName: string;
  service: Omit<EnrollmentMetadata['service'], 'enrollmentUrl'>;
  /** The OCRA key, hex. The real app keeps it in the keystore, PIN-encrypted. */
  secret: string;
}

export interface EnrollResult {
  ok: boolean;
  status: number;
  contentType: string;
  raw: string;
  /** Set (and stored) only when the server accepted the registration. */
  identity?: TiqrIdentity;
}

export interface AuthUrlParams {
  userId: string;
  serviceIdentifier: string;
  sessionKey: string;
  question: string;
  displayName?: string;
  /** 0 when the URL has no version segment. */
  protocolVersion: number;
}

export class TiqrAppError extends Error {}

export const TIQR_PROTOCOL_VERSION = '2';
const ENROLL_SCHEME = 'tiqrenroll://';
const AUTH_SCHEME = 'tiqrauth://';

export interface TiqrAppOptions {
  language?: string;
  /** Push token of the "device"; absent → neither notification field is sent. */
  notificationAddress?: string;
  /** Default `FCM_DIRECT` when an address is set (the app's choice without token exchange). */
  notificationType?: string;
  identities?: TiqrIdentity[];
}

export class TiqrApp {
  readonly identities: TiqrIdentity[];
  language: string;
  notificationAddress?: string;
  notificationType?: string;

  constructor(opts: TiqrAppOptions = {}) {
    this.language = opts.language ?? 'en';
    this.notificationAddress = opts.notificationAddress;
    this.notificationType = opts.notificationType;
    this.identities = [...(opts.identities ?? [])];
  }

  toJSON(): TiqrAppOptions {
    return {
      language: this.language,
      notificationAddress: this.notificationAddress,
      notificationType: this.notificationType,
      identities: this.identities,
    };
  }

  static fromJSON(json: unknown): TiqrApp {
    const o = (json ?? {}) as TiqrAppOptions;
    if (o.identities !== undefined && !Array.isArray(o.identities))
      throw new TiqrAppError('state: identities must be an array');
    return new TiqrApp(o);
  }

  find(userId: string, serviceIdentifier: string): TiqrIdentity | undefined {
    return this.identities.find(
      (i) => i.identifier === userId && i.service.identifier === serviceIdentifier,
    );
  }

  /** Scans a `tiqrenroll://` QR code: GETs and validates the metadata (no state change). */
  async fetchMetadata(tiqrenrollUri: string): Promise<EnrollmentMetadata> {
    if (!tiqrenrollUri.startsWith(ENROLL_SCHEME))
      throw new TiqrAppError('invalid QR: not tiqrenroll://');
    const url = tiqrenrollUri.slice(ENROLL_SCHEME.length);
    if (!/^https?:\/\//i.test(url))
      throw new TiqrAppError('invalid QR: metadata URL is not http(s)');
    const res = await fetch(url, { headers: appHeaders() });
    const text = await res.text();
    if (!res.ok) throw new TiqrAppError(`invalid QR: metadata HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new TiqrAppError('invalid QR: metadata is not JSON');
    }
    return validateMetadata(body);
  }

  /**
   * Full enrollment: metadata, duplicate check, a fresh 32-byte secret (the app's HMAC-SHA256
   * KeyGenerator default), registration POST. The identity is stored only on success.
   */
  async enroll(tiqrenrollUri: string, opts: { secret?: string } = {}): Promise<EnrollResult> {
    const meta = await this.fetchMetadata(tiqrenrollUri);
    if (this.find(meta.identity.identifier, meta.service.identifier))
      throw new TiqrAppError(
        `identity ${meta.identity.displayName} at ${meta.service.displayName} is already enrolled`,
      );
    const secret = opts.secret ?? randomBytes(32).toString('hex');
    const reply = await this.register(meta.service.enrollmentUrl, secret);
    const ok = enrollmentSucceeded(reply.raw);
    if (!ok) return { ok, ...reply };
    const s = meta.service;
    const identity: TiqrIdentity = {
      identifier: meta.identity.identifier,
      displayName: meta.identity.displayName,
      service: {
        displayName: s.displayName,
        identifier: s.identifier,
        logoUrl: s.logoUrl,
        infoUrl: s.infoUrl,
        authenticationUrl: s.authenticationUrl,
        ocraSuite: s.ocraSuite,
      },
      secret,
    };
    this.identities.push(identity);
    return { ok, ...reply, identity };
  }

  /** The registration POST alone (tests replay it with chosen secrets or sessions). */
  async register(
    enrollmentUrl: string,
    secret: string,
    extra: [string, string][] = [],
  ): Promise<{ status: number; contentType: string; raw: string }> {
    const fields: [string, string | undefined][] = [
      ['secret', secret],
      ['language', this.language],
      ...this.notificationFields(),
      ['operation', 'register'],
      ...extra,
    ];
    return post(enrollmentUrl, fields);
  }

  /**
   * Answers a `tiqrauth://` QR code: finds the identity, computes OCRA over the question and
   * POSTs it to the identity provider's authenticationUrl (from enrollment, not from the URL).
   */
  async login(
    tiqrauthUri: string,
    opts: { variant?: OcraVariant; response?: string; wrong?: boolean } = {},
  ): Promise<TiqrReply> {
    const params = parseAuthUrl(tiqrauthUri);
    const identity = this.identityFor(params);
    let response =
      opts.response ?? this.computeResponse(identity, params, opts.variant ?? 'android');
    if (opts.wrong) response = wrongAnswer(response);
    return this.sendLogin(identity.service.authenticationUrl, [
      ['sessionKey', params.sessionKey],
      ['userId', identity.identifier],
      ['response', response],
    ]);
  }

  /** The OCRA response the app would send for this URL (no request). */
  responseFor(tiqrauthUri: string, variant: OcraVariant = 'android'): string {
    const params = parseAuthUrl(tiqrauthUri);
    return this.computeResponse(this.identityFor(params), params, variant);
  }

  /** A login POST with the given leading fields, then language, notification, operation. */
  sendLogin(
    authenticationUrl: string,
    fields: [string, string][],
    operation: string | undefined = 'login',
  ): Promise<TiqrReply> {
    return post(authenticationUrl, [
      ...fields,
      ['language', this.language],
      ...this.notificationFields(),
      ['operation', operation],
    ]).then((r) => ({ ...r, ...parseAuthReply(r.raw) }));
  }

  private identityFor(params: AuthUrlParams): TiqrIdentity {
    if (params.userId !== '') {
      const found = this.find(params.userId, params.serviceIdentifier);
      if (!found)
        throw new TiqrAppError(`unknown identity ${params.userId}@${params.serviceIdentifier}`);
      return found;
    }
    // No user in the URL: the app uses the provider's only identity (or asks to pick one).
    const all = this.identities.filter((i) => i.service.identifier === params.serviceIdentifier);
    if (all.length !== 1)
      throw new TiqrAppError(`${all.length} identities for ${params.serviceIdentifier}`);
    return all[0];
  }

  private computeResponse(
    identity: TiqrIdentity,
    params: AuthUrlParams,
    variant: OcraVariant,
  ): string {
    // The app passes the URL's session key as OCRA session information (used only by S suites).
    return ocra(identity.service.ocraSuite, identity.secret, params.question, {
      variant,
      session: params.sessionKey,
    });
  }

  private notificationFields(): [string, string | undefined][] {
    if (this.notificationAddress === undefined) return [];
    return [
      ['notificationAddress', this.notificationAddress],
      ['notificationType', this.notificationType ?? 'FCM_DIRECT'],
    ];
  }
}

/** Every request of the app carries these (HeaderInjector). */
function appHeaders(): Record<string, string> {
  return { Accept: 'application/json', 'X-TIQR-Protocol-Version': TIQR_PROTOCOL_VERSION };
}

async function post(
  url: string,
  fields: [string, string | undefined][],
): Promise<{ status: number; contentType: string; raw: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...appHeaders(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formEncode(fields),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    raw: await res.text(),
  };
}

/** OkHttp FormBody's form encode set: these, controls, non-ASCII, `%` and `+` become %XX. */
const FORM_ENCODE_SET = new Set(' "\':;<=>@[]^`{}|/\\?#&!$(),~%+');

function formComponent(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp >= 0x7f || FORM_ENCODE_SET.has(ch)) {
      for (const b of Buffer.from(ch, 'utf8'))
        out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    } else out += ch;
  }
  return out;
}

/** Retrofit @Field encoding: declared order, null fields left out, space as %20. */
export function formEncode(fields: [string, string | undefined][]): string {
  return fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `${formComponent(k)}=${formComponent(v)}`)
    .join('&');
}

/** The app's metadata model: all nine fields are non-null strings, else "invalid QR". */
export function validateMetadata(body: unknown): EnrollmentMetadata {
  const b = body as Record<string, Record<string, unknown> | undefined> | null;
  const need = {
    service: [
      'displayName',
      'identifier',
      'logoUrl',
      'infoUrl',
      'authenticationUrl',
      'ocraSuite',
      'enrollmentUrl',
    ],
    identity: ['identifier', 'displayName'],
  } as const;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new TiqrAppError('invalid QR: metadata is not an object');
  for (const [part, keys] of Object.entries(need)) {
    const obj = b[part];
    if (typeof obj !== 'object' || obj === null)
      throw new TiqrAppError(`invalid QR: metadata ${part} missing`);
    for (const k of keys)
      if (typeof obj[k] !== 'string')
        throw new TiqrAppError(`invalid QR: metadata ${part}.${k} is not a string`);
  }
  return b as unknown as EnrollmentMetadata;
}

/** Registration success: the plain body `OK` or JSON `{"responseCode": 1}`. */
export function enrollmentSucceeded(raw: string): boolean {
  const text = raw.trim();
  if (text === 'OK') return true;
  if (!text.startsWith('{')) return false;
  try {
    return (JSON.parse(text) as { responseCode?: unknown }).responseCode === 1;
  } catch {
    return false;
  }
}

const V2_CODES: Record<number, ReplyKind> = {
  1: 'OK',
  201: 'INVALID_RESPONSE',
  202: 'INVALID_REQUEST',
  203: 'INVALID_CHALLENGE',
  204: 'ACCOUNT_BLOCKED',
  205: 'INVALID_USERID',
};

/**
 * The app's reading of an authentication reply. v1 plain text: exact codes, and
 * `INVALID_RESPONSE:<n>` with n attempts left (no/invalid number → 0). v2 JSON: `responseCode`
 * (an unknown code counts as an invalid response). Anything else — other text, an error
 * envelope — the app cannot read (it shows a generic error; other plain text it takes as a
 * wrong response with 0 attempts): kind OTHER.
 */
export function parseAuthReply(raw: string): Omit<TiqrReply, 'status' | 'contentType' | 'raw'> {
  const text = raw.trim();
  if (text.startsWith('{')) {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { kind: 'OTHER' };
    }
    if (typeof o.responseCode !== 'number') return { kind: 'OTHER' };
    const kind = V2_CODES[o.responseCode] ?? 'INVALID_RESPONSE';
    const out: Omit<TiqrReply, 'status' | 'contentType' | 'raw'> = { kind };
    if (kind === 'INVALID_RESPONSE')
      out.attemptsLeft = typeof o.attemptsLeft === 'number' ? o.attemptsLeft : 0;
    if (typeof o.duration === 'number') out.duration = o.duration;
    return out;
  }
  for (const k of [
    'OK',
    'ACCOUNT_BLOCKED',
    'INVALID_CHALLENGE',
    'INVALID_REQUEST',
    'INVALID_USERID',
  ] as const)
    if (text === k) return { kind: k };
  if (text.startsWith('INVALID_RESPONSE')) {
    // The app rewrites ':' to '|' and reads the number after the first '|'.
    const sep = text.indexOf(':');
    const n = sep < 0 ? '' : text.slice(sep + 1);
    return { kind: 'INVALID_RESPONSE', attemptsLeft: /^[+-]?\d{1,9}$/.test(n) ? Number(n) : 0 };
  }
  return { kind: 'OTHER' };
}

/**
 * Parses `tiqrauth://<userId>@<serviceIdentifier>/<sessionKey>/<question>/<displayName>[/<v>]`
 * as the app does: the scheme is replaced by `http://` and the result read as an HTTP URL;
 * user info and path segments are percent-decoded, `+` stays `+`.
 */
export function parseAuthUrl(tiqrauthUri: string): AuthUrlParams {
  if (!tiqrauthUri.startsWith(AUTH_SCHEME)) throw new TiqrAppError('invalid QR: not tiqrauth://');
  let url: URL;
  try {
    url = new URL('http://' + tiqrauthUri.slice(AUTH_SCHEME.length));
  } catch {
    throw new TiqrAppError('invalid QR: unparsable tiqrauth URL');
  }
  const segments = url.pathname.slice(1).split('/').map(percentDecode);
  if (segments.length < 2) throw new TiqrAppError('invalid QR: too few path segments');
  const version = segments[3];
  if (version !== undefined && !/^[+-]?\d{1,9}$/.test(version))
    throw new TiqrAppError('invalid QR: protocol version is not a number');
  return {
    userId: percentDecode(url.username),
    serviceIdentifier: url.hostname,
    sessionKey: segments[0],
    question: segments[1],
    displayName: segments[2],
    protocolVersion: version === undefined ? 0 : Number(version),
  };
}

/** OkHttp's percentDecode: valid %XX become bytes, UTF-8 decoded; `+` is kept. */
export function percentDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A different response of the same length (last digit changed). */
export function wrongAnswer(response: string): string {
  if (response === '') return '0';
  const last = response[response.length - 1];
  const next = last === '9' || !/\d/.test(last) ? '0' : String(Number(last) + 1);
  return response.slice(0, -1) + next;
}

// ---------------------------------------------------------------------------------------------
// OCRA (RFC 6287), independent of src/crypto.

export interface OcraInputs {
  variant?: OcraVariant;
  /** hex */
  counter?: string;
  /** hex of Hash(PIN) */
  password?: string;
  /** hex */
  session?: string;
  /** hex number of time steps */
  timestamp?: string;
}

class OcraError extends TiqrAppError {}

function hexBytes(hex: string, what: string): Buffer {
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new OcraError(`${what} is not hex`);
  return Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex');
}

/** Right-aligned into `size` bytes (the RFC and the app pad these inputs on the left). */
function leftPadded(hex: string | undefined, size: number, what: string): Buffer {
  const h = hex ?? '';
  if (h.length > size * 2) throw new OcraError(`${what} longer than ${size} bytes`);
  return hexBytes(h.padStart(size * 2, '0'), what);
}

/**
 * The 128-byte question block. 'rfc': QN decimal → hex digits, QA text bytes, QH hex (odd
 * length: a `0` nibble appended on the right). 'android' (current TiQR core): the question text
 * is always hex, whatever the suite says. (The app's other DataInput quirks — e.g. its P and S
 * detection by substring — only matter for suites TiQR never uses, so they are not copied.)
 */
function questionBlock(question: string, qType: string, variant: OcraVariant): Buffer {
  let bytes: Buffer;
  if (variant === 'android' || qType === 'H') bytes = hexBytes(question, 'question');
  else if (qType === 'N') {
    if (!/^\d+$/.test(question)) throw new OcraError('numeric question is not decimal');
    bytes = hexBytes(BigInt(question).toString(16), 'question');
  } else bytes = Buffer.from(question, 'utf8');
  if (bytes.length > 128) throw new OcraError('question longer than 128 bytes');
  return Buffer.concat([bytes, Buffer.alloc(128 - bytes.length)]);
}

const HASHES: Record<string, { alg: string; size: number }> = {
  SHA1: { alg: 'sha1', size: 20 },
  SHA256: { alg: 'sha256', size: 32 },
  SHA512: { alg: 'sha512', size: 64 },
};

/** OCRA response for `suite` (original string, hashed as given) with a hex key. */
export function ocra(suite: string, keyHex: string, question: string, inp: OcraInputs = {}) {
  const variant = inp.variant ?? 'rfc';
  const parts = suite.toUpperCase().split(':');
  if (parts.length !== 3 || parts[0] !== 'OCRA-1') throw new OcraError(`bad suite ${suite}`);
  const crypto = parts[1].split('-');
  const hash = HASHES[crypto[1] ?? ''];
  if (crypto.length !== 3 || crypto[0] !== 'HOTP' || !hash)
    throw new OcraError(`bad crypto function ${parts[1]}`);
  const digits = Number(crypto[2]);
  if (!Number.isInteger(digits) || digits < 4 || digits > 10)
    throw new OcraError(`unsupported truncation ${crypto[2]}`);

  const blocks: Buffer[] = [Buffer.from(suite, 'utf8'), Buffer.alloc(1)];
  for (const field of parts[2].split('-')) {
    const kind = field[0];
    if (kind === 'C') blocks.push(leftPadded(inp.counter, 8, 'counter'));
    else if (kind === 'Q') blocks.push(questionBlock(question, field[1] ?? '', variant));
    else if (kind === 'P') {
      const p = HASHES[field.slice(1)];
      if (!p) throw new OcraError(`bad password hash ${field}`);
      blocks.push(leftPadded(inp.password, p.size, 'password'));
    } else if (kind === 'S') {
      // The TiQR app takes a bare `S` as S064.
      const n = field.length === 1 ? 64 : Number(field.slice(1));
      if (![64, 128, 256, 512].includes(n)) throw new OcraError(`bad session size ${field}`);
      blocks.push(leftPadded(inp.session, n, 'session'));
    } else if (kind === 'T') blocks.push(leftPadded(inp.timestamp, 8, 'timestamp'));
    else throw new OcraError(`bad data input ${field}`);
  }
  const key = hexBytes(keyHex, 'key');
  const mac = createHmac(hash.alg, key).update(Buffer.concat(blocks)).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** SHA-1 of a PIN as hex (the RFC vectors' P input). */
export function pinHash(pin: string, alg = 'sha1'): string {
  return createHash(alg).update(pin, 'utf8').digest('hex');
}
