import { createDecipheriv, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import {
  ImportFormatError,
  ImportRecordError,
  ImportResult,
  ImportedToken,
  ImportedTokenType,
  tagRecord,
} from './imported-token';
import {
  XmlElement,
  attr,
  child,
  childrenNamed,
  hasDescendant,
  parseUntrustedXml,
  path,
  textOf,
} from './safe-xml';
import {
  DEFAULT_OTPLEN,
  DEFAULT_TIME_STEP,
  RecordError,
  checkSerial,
  keyBytesToHex,
  parseCounter,
  parseHashName,
  parseNonNegativeInteger,
  parseOcraSuite,
  parseOtpLen,
  parseTimeStep,
} from './token-fields';

export interface PskcParseOptions {
  /** Pre-shared key as hex (16, 24 or 32 bytes); for a password-based file, the derived key. */
  preSharedKey?: string;
  /** Passphrase for files using a PBKDF2-derived key (RFC 6030 §6.2). */
  password?: string;
  /** Largest PBKDF2 iteration count a file may ask for (PSKC_MAX_PBKDF2_ITERATIONS). */
  maxPbkdf2Iterations?: number;
}

const WHAT = 'PSKC import';
const PSKC_URN_PREFIX = 'urn:ietf:params:xml:ns:keyprov:pskc:';
const PSKC_HOTP_URN = `${PSKC_URN_PREFIX}hotp`;
/** Default cap of a file-supplied PBKDF2 iteration count (CPU exhaustion guard). */
export const DEFAULT_MAX_PBKDF2_ITERATIONS = 200_000;

const CBC_CIPHERS = new Map<string, { cipher: string; keyBytes: number }>([
  ['aes128-cbc', { cipher: 'aes-128-cbc', keyBytes: 16 }],
  ['aes192-cbc', { cipher: 'aes-192-cbc', keyBytes: 24 }],
  ['aes256-cbc', { cipher: 'aes-256-cbc', keyBytes: 32 }],
]);

const HMAC_HASHES = new Map<string, string>([
  ['hmac-sha1', 'sha1'],
  ['hmac-sha224', 'sha224'],
  ['hmac-sha256', 'sha256'],
  ['hmac-sha384', 'sha384'],
  ['hmac-sha512', 'sha512'],
]);

interface Crypto {
  encryptionKey: Buffer;
  macKey: Buffer;
  macHash: string;
}

interface AlgorithmInfo {
  type: ImportedTokenType | 'pin';
  ocrasuite?: string;
  /** Hash named in the algorithm URI itself, e.g. "…#totp-sha256". */
  hashHint?: string;
}

/**
 * Parses an RFC 6030 PSKC document: plain secrets, secrets encrypted with AES-CBC under a
 * pre-shared key (§6.1) or a PBKDF2-derived key (§6.2), each checked against its ValueMAC
 * before decryption. Bad KeyPackages are reported in `errors`; problems with the file as a
 * whole (not XML, hostile DTD, wrong root, missing or wrong key, too many PBKDF2 iterations)
 * reject with ImportFormatError. PBKDF2 runs on the thread pool, never on the event loop.
 */
export async function parsePskcTokens(
  xml: string,
  options: PskcParseOptions = {},
): Promise<ImportResult> {
  const root = parseUntrustedXml(xml, WHAT);
  if (root.name.toLowerCase() !== 'keycontainer') {
    throw new ImportFormatError(
      `${WHAT}: not a PSKC document (root element is <${root.name}>, expected <KeyContainer>)`,
    );
  }
  const packages = childrenNamed(root, 'KeyPackage');
  if (packages.length === 0) {
    throw new ImportFormatError(`${WHAT}: the file contains no KeyPackage`);
  }

  const psk = options.preSharedKey === undefined ? undefined : parseKeyOption(options.preSharedKey);
  const encrypted = packages.some((p) => hasDescendant(p, 'EncryptedValue'));
  const crypto = encrypted ? await setUpDecryption(root, psk, options) : undefined;

  const errors: ImportRecordError[] = [];
  const fail = (record: number, e: unknown, serial?: string): void => {
    if (!(e instanceof RecordError)) throw e;
    const shown = serial?.slice(0, 64);
    errors.push({ record, ...(shown !== undefined && { serial: shown }), reason: e.message });
  };

  // PIN keys (RFC 6030 Figure 5) are not tokens; they are attached to the key referencing them.
  const pins = new Map<string, string>();
  const pinRecords = new Set<number>();
  packages.forEach((pkg, i) => {
    const key = child(pkg, 'Key');
    const algorithm = attr(key, 'Algorithm');
    if (!key || algorithm === undefined || classifyAlgorithm(algorithm)?.type !== 'pin') return;
    pinRecords.add(i);
    const id = attr(key, 'Id');
    try {
      const pin = readSecret(path(key, 'Data'), crypto).toString('utf8');
      if (id !== undefined && pin !== '') pins.set(id, pin);
    } catch (e) {
      fail(i + 1, e, id);
    }
  });

  const tokens: ImportedToken[] = [];
  const seen = new Map<string, number>();
  packages.forEach((pkg, i) => {
    if (pinRecords.has(i)) return;
    let serial: string | undefined;
    try {
      const keys = childrenNamed(pkg, 'Key');
      if (keys.length !== 1) {
        throw new RecordError(
          keys.length === 0 ? 'KeyPackage has no Key' : 'KeyPackage has more than one Key',
        );
      }
      serial = serialOf(pkg, keys[0]);
      const token = readToken(pkg, keys[0], serial, crypto, pins);
      const first = seen.get(token.serial);
      if (first !== undefined) {
        throw new RecordError(`duplicate serial (also in KeyPackage ${first})`);
      }
      seen.set(token.serial, i + 1);
      tokens.push(tagRecord(token, i + 1));
    } catch (e) {
      fail(i + 1, e, serial);
    }
  });

  errors.sort((a, b) => a.record - b.record);
  return { tokens, errors };
}

function parseKeyOption(hex: string): Buffer {
  const value = hex.trim();
  if (!/^[0-9a-fA-F]+$/.test(value) || ![32, 48, 64].includes(value.length)) {
    throw new ImportFormatError(`${WHAT}: the pre-shared key must be 16, 24 or 32 bytes as hex`);
  }
  return Buffer.from(value, 'hex');
}

/** Resolves the encryption key and decrypts the MAC key; a wrong key is detected here. */
async function setUpDecryption(
  root: XmlElement,
  psk: Buffer | undefined,
  options: PskcParseOptions,
): Promise<Crypto> {
  const { password } = options;
  const encryptionKeyEl = child(root, 'EncryptionKey');
  if (child(encryptionKeyEl, 'X509Data')) {
    throw new ImportFormatError(`${WHAT}: asymmetric (X.509) key transport is not supported`);
  }
  const derived = child(encryptionKeyEl, 'DerivedKey');
  let encryptionKey: Buffer;
  if (derived && password !== undefined && password !== '') {
    encryptionKey = await deriveKey(
      derived,
      password,
      options.maxPbkdf2Iterations ?? DEFAULT_MAX_PBKDF2_ITERATIONS,
    );
  } else if (psk) {
    encryptionKey = psk;
  } else {
    throw new ImportFormatError(
      derived
        ? `${WHAT}: the file is encrypted with a password-derived key; a password is required`
        : `${WHAT}: the file is encrypted; a pre-shared key is required`,
    );
  }

  const macMethod = child(root, 'MACMethod');
  if (!macMethod) {
    throw new ImportFormatError(
      `${WHAT}: encrypted values without a MACMethod cannot be integrity-checked`,
    );
  }
  const macAlgorithm = attr(macMethod, 'Algorithm') ?? '';
  const macHash = HMAC_HASHES.get(fragment(macAlgorithm));
  if (!macHash) throw new ImportFormatError(`${WHAT}: unsupported MAC algorithm "${macAlgorithm}"`);
  const macKeyEl = child(macMethod, 'MACKey');
  if (!macKeyEl) {
    throw new ImportFormatError(`${WHAT}: only an encrypted <MACKey> is supported in MACMethod`);
  }

  let macKey: Buffer;
  try {
    macKey = decryptCbc(macKeyEl, encryptionKey);
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    throw new ImportFormatError(
      e instanceof PaddingError
        ? `${WHAT}: wrong pre-shared key or password (the MAC key does not decrypt)`
        : `${WHAT}: cannot decrypt the MAC key: ${e.message}`,
    );
  }
  if (macKey.length === 0) {
    throw new ImportFormatError(`${WHAT}: wrong pre-shared key or password (empty MAC key)`);
  }
  return { encryptionKey, macKey, macHash };
}

/** PBKDF2 as in RFC 6030 §6.2 (PKCS #5 v2.0 parameters), all parameters checked first. */
async function deriveKey(
  derived: XmlElement,
  password: string,
  maxIterations: number,
): Promise<Buffer> {
  const method = child(derived, 'KeyDerivationMethod');
  const algorithm = attr(method, 'Algorithm') ?? '';
  if (fragment(algorithm) !== 'pbkdf2') {
    throw new ImportFormatError(`${WHAT}: unsupported key derivation "${algorithm}"`);
  }
  const params = child(method, 'PBKDF2-params');
  const saltText = textOf(path(params, 'Salt', 'Specified'));
  const salt = saltText === undefined ? undefined : decodeBase64(saltText);
  if (!salt || salt.length === 0) {
    throw new ImportFormatError(`${WHAT}: PBKDF2 parameters lack a salt`);
  }
  const iterationText = textOf(child(params, 'IterationCount'))?.trim() ?? '';
  const iterations = /^\d{1,15}$/.test(iterationText) ? Number(iterationText) : NaN;
  if (!(iterations >= 1 && iterations <= maxIterations)) {
    throw new ImportFormatError(
      `${WHAT}: PBKDF2 iteration count must be 1 to ${maxIterations}` +
        ' (PSKC_MAX_PBKDF2_ITERATIONS); the file was not imported',
    );
  }
  const keyLength = Number(textOf(child(params, 'KeyLength')) ?? 16);
  if (![16, 24, 32].includes(keyLength)) {
    throw new ImportFormatError(`${WHAT}: PBKDF2 key length must be 16, 24 or 32 bytes`);
  }
  const prfAlgorithm = attr(child(params, 'PRF'), 'Algorithm');
  const prf = prfAlgorithm === undefined ? 'sha1' : HMAC_HASHES.get(fragment(prfAlgorithm));
  if (!prf) throw new ImportFormatError(`${WHAT}: unsupported PBKDF2 PRF "${prfAlgorithm}"`);
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, keyLength, prf, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

class PaddingError extends RecordError {}

/** Decrypts an xenc-style element (EncryptionMethod + CipherData/CipherValue, IV first). */
function decryptCbc(encrypted: XmlElement, key: Buffer): Buffer {
  const algorithm = attr(child(encrypted, 'EncryptionMethod'), 'Algorithm') ?? '';
  const spec = CBC_CIPHERS.get(fragment(algorithm));
  if (!spec) throw new RecordError(`unsupported encryption algorithm "${algorithm}"`);
  if (key.length !== spec.keyBytes) {
    throw new RecordError(`${fragment(algorithm)} needs a ${spec.keyBytes}-byte key`);
  }
  const blob = cipherValue(encrypted);
  const decipher = createDecipheriv(spec.cipher, key, blob.subarray(0, 16));
  try {
    return Buffer.concat([decipher.update(blob.subarray(16)), decipher.final()]);
  } catch {
    throw new PaddingError('decryption failed (bad padding)');
  }
}

function cipherValue(encrypted: XmlElement): Buffer {
  const text = textOf(path(encrypted, 'CipherData', 'CipherValue'));
  const blob = text === undefined ? undefined : decodeBase64(text);
  if (!blob) throw new RecordError('missing or malformed CipherValue');
  // IV plus at least one block, whole blocks only.
  if (blob.length < 32 || blob.length % 16 !== 0) {
    throw new RecordError('CipherValue has an invalid length');
  }
  return blob;
}

/** Reads Data/Secret, verifying ValueMAC over IV||ciphertext before decrypting. */
function readSecret(data: XmlElement | undefined, crypto: Crypto | undefined): Buffer {
  const secret = child(data, 'Secret');
  const plain = textOf(child(secret, 'PlainValue'));
  if (plain !== undefined) {
    const value = decodeBase64(plain);
    if (!value) throw new RecordError('secret PlainValue is not valid base64');
    return value;
  }
  const encrypted = child(secret, 'EncryptedValue');
  if (!encrypted) {
    throw new RecordError('no secret (Data/Secret has no PlainValue or EncryptedValue)');
  }
  if (!crypto) throw new RecordError('encrypted secret but no decryption key');

  const algorithm = attr(child(encrypted, 'EncryptionMethod'), 'Algorithm') ?? '';
  if (!CBC_CIPHERS.has(fragment(algorithm))) {
    throw new RecordError(`unsupported encryption algorithm "${algorithm}"`);
  }
  const blob = cipherValue(encrypted);
  // RFC 6030 places ValueMAC in Secret; some exporters put it in Data.
  const macText = textOf(child(secret, 'ValueMAC')) ?? textOf(child(data, 'ValueMAC'));
  const mac = macText === undefined ? undefined : decodeBase64(macText);
  if (!mac) throw new RecordError('missing or malformed ValueMAC for the encrypted secret');
  const expected = createHmac(crypto.macHash, crypto.macKey).update(blob).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    throw new RecordError('MAC check failed');
  }
  return decryptCbc(encrypted, crypto.encryptionKey);
}

/** DeviceInfo/SerialNo, else Key@Id (with privacyIDEA's YubiKey mapping). */
function serialOf(pkg: XmlElement, key: XmlElement): string | undefined {
  const keyId = attr(key, 'Id');
  // YubiKey exports name keys "<serial>:<slot>"; privacyIDEA maps HOTP ones to UBOM<serial>_<slot>.
  const yubico = keyId === undefined ? null : /^(\d+):(\d+)$/.exec(keyId);
  if (yubico && attr(key, 'Algorithm') === PSKC_HOTP_URN) return `UBOM${yubico[1]}_${yubico[2]}`;
  return textOf(path(pkg, 'DeviceInfo', 'SerialNo')) ?? keyId;
}

function readToken(
  pkg: XmlElement,
  key: XmlElement,
  serial: string | undefined,
  crypto: Crypto | undefined,
  pins: Map<string, string>,
): ImportedToken {
  const algorithm = attr(key, 'Algorithm') ?? '';
  const info = classifyAlgorithm(algorithm);
  if (!info || info.type === 'pin') {
    throw new RecordError(`unsupported key algorithm "${algorithm}"`);
  }
  const token: ImportedToken = { serial: checkSerial(serial ?? ''), type: info.type, otpkey: '' };
  const data = child(key, 'Data');
  const params = child(key, 'AlgorithmParameters');
  const suiteEl = child(params, 'Suite');
  const format = child(params, 'ResponseFormat');
  const encoding = attr(format, 'Encoding');
  if (encoding !== undefined && encoding.toUpperCase() !== 'DECIMAL') {
    throw new RecordError(`unsupported response encoding "${encoding}"`);
  }
  const length = attr(format, 'Length');

  if (info.type === 'ocra') {
    const suite = info.ocrasuite ?? textOf(suiteEl);
    if (suite === undefined) throw new RecordError('OCRA key without a suite');
    const parsed = parseOcraSuite(suite);
    if (length !== undefined && length !== String(parsed.otplen)) {
      throw new RecordError(`ResponseFormat Length ${length} does not match the OCRA suite`);
    }
    token.ocrasuite = suite;
    token.otplen = parsed.otplen;
    token.hashlib = parsed.hashlib;
  } else {
    token.otplen = length === undefined ? DEFAULT_OTPLEN : parseOtpLen(length);
    const hashHint = textOf(suiteEl) ?? attr(suiteEl, 'hashalgo') ?? info.hashHint;
    token.hashlib = hashHint === undefined ? 'sha1' : parseHashName(hashHint);
  }

  token.otpkey = keyBytesToHex(readSecret(data, crypto));

  const counter = plainInteger(data, 'Counter');
  if (counter !== undefined) token.counter = parseCounter(counter, 'Counter');
  const time = plainInteger(data, 'Time');
  // Time is informational for TOTP (the server clock decides); only its syntax is checked.
  if (time !== undefined) parseNonNegativeInteger(time, 'Time');
  if (info.type === 'totp') {
    const interval = plainInteger(data, 'TimeInterval');
    token.timeStep = interval === undefined ? DEFAULT_TIME_STEP : parseTimeStep(interval);
  }

  const user = textOf(child(key, 'UserId')) ?? textOf(path(pkg, 'DeviceInfo', 'UserId'));
  if (user !== undefined) token.user = user;
  // FriendlyName first; privacyIDEA uses the manufacturer as the description.
  const description =
    textOf(child(key, 'FriendlyName')) ?? textOf(path(pkg, 'DeviceInfo', 'Manufacturer'));
  if (description !== undefined) token.description = description;

  const pin = pinFor(key, pins);
  if (pin !== undefined) token.pin = pin;
  return token;
}

/** The PIN of a referenced PIN key when the PIN is checked by the server (mode Prepend). */
function pinFor(key: XmlElement, pins: Map<string, string>): string | undefined {
  const policy = path(key, 'Policy', 'PINPolicy');
  const pinKeyId = attr(policy, 'PINKeyId');
  const mode = attr(policy, 'PINUsageMode')?.toLowerCase();
  // Local and Algorithmic PINs are verified by the device, not by us.
  if (pinKeyId === undefined || (mode !== 'prepend' && mode !== 'append')) return undefined;
  if (mode === 'append') throw new RecordError('PINUsageMode Append is not supported');
  const pin = pins.get(pinKeyId);
  if (pin === undefined) throw new RecordError(`PIN key "${pinKeyId}" is missing or unusable`);
  return pin;
}

/** PlainValue of an integer Data field; encrypted integers are not supported. */
function plainInteger(data: XmlElement | undefined, name: string): string | undefined {
  const el = child(data, name);
  if (!el) return undefined;
  if (child(el, 'EncryptedValue')) throw new RecordError(`encrypted ${name} is not supported`);
  const value = textOf(child(el, 'PlainValue'));
  if (value === undefined) throw new RecordError(`${name} has no PlainValue`);
  return value;
}

/**
 * Maps Key@Algorithm to a token type: `urn:ietf:params:xml:ns:keyprov:pskc:hotp`, `…#totp`,
 * `…#OCRA-1:HOTP-SHA1-6:QN08` (suite in the URI), `…:ocra` (suite in <Suite>), `…:pin`.
 */
export function classifyAlgorithm(uri: string): AlgorithmInfo | undefined {
  const value = uri.trim();
  const hashAt = value.indexOf('#');
  let name: string;
  if (hashAt >= 0) name = value.slice(hashAt + 1);
  else if (value.toLowerCase().startsWith(PSKC_URN_PREFIX))
    name = value.slice(PSKC_URN_PREFIX.length);
  else name = value.slice(value.lastIndexOf(':') + 1);

  if (/^ocra-1:/i.test(name)) return { type: 'ocra', ocrasuite: name };
  const m = /^(hotp|totp|ocra|pin)(?:[-_](sha\d+))?$/i.exec(name);
  if (!m) return undefined;
  const type = m[1].toLowerCase() as AlgorithmInfo['type'];
  return m[2] === undefined ? { type } : { type, hashHint: m[2] };
}

/** Part after '#' of an algorithm URI, lower-cased (e.g. "aes128-cbc", "hmac-sha1"). */
function fragment(uri: string): string {
  return uri
    .slice(uri.indexOf('#') + 1)
    .trim()
    .toLowerCase();
}

function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
