import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { promisify } from 'node:util';
import { base32Decode, base32Encode } from '../base32';

/** A key that cannot be used for Push: malformed, wrong type or size. Messages never carry key material. */
export class PushKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushKeyError';
  }
}

/** Upper bound of the app's `pubkey` form value: an RSA-8192 SPKI is ~1.4 KiB of base64. */
export const PHONE_KEY_MAX_CHARS = 4096;
export const PHONE_KEY_MIN_BITS = 2048;
/** The app makes 4096-bit keys; larger ones only make every unauthenticated verification dearer. */
export const PHONE_KEY_MAX_BITS = 4096;
/** An 8192-bit signature is 1640 base32 characters; anything far longer is rejected before decoding. */
const SIGNATURE_MAX_CHARS = 2048;

const PKCS1_PUBLIC_HEADER = '-----BEGIN RSA PUBLIC KEY-----';
const PKCS1_PUBLIC_FOOTER = '-----END RSA PUBLIC KEY-----';
const SPKI_PUBLIC_HEADER = '-----BEGIN PUBLIC KEY-----';

const generateKeyPairAsync = promisify(generateKeyPair);

function isRsa(key: KeyObject, type: 'public' | 'private'): boolean {
  // 'rsa-pss' keys are excluded on purpose: both sides use PKCS#1 v1.5 only.
  return key.type === type && key.asymmetricKeyType === 'rsa';
}

/** RSASSA-PKCS1-v1_5 / SHA-256 over the UTF-8 message, base32 upper case WITH '=' padding. */
export function signPush(privateKey: KeyObject, message: string): string {
  if (!isRsa(privateKey, 'private'))
    throw new PushKeyError('push signing needs an RSA private key');
  const signature = sign('sha256', Buffer.from(message, 'utf8'), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PADDING,
  });
  return base32Encode(signature, true);
}

/**
 * Lenient base32 for incoming signatures: surrounding whitespace, lower case and missing (or
 * surplus) '=' padding are accepted; anything else is undefined. Python's strict `b32decode`
 * would refuse these variants — the spec (§4, Proposed) deliberately accepts them.
 */
export function decodePushSignature(text: string): Buffer | undefined {
  if (typeof text !== 'string' || text.length > SIGNATURE_MAX_CHARS) return undefined;
  const trimmed = text.trim();
  // ASCII check first: base32Decode upper-cases, and 'ß'.toUpperCase() is 'SS'.
  if (!/^[A-Za-z2-7]+=*$/.test(trimmed)) return undefined;
  return base32Decode(trimmed);
}

/** Lenient decode (lower case, missing padding, surrounding whitespace ok); undecodable, wrong length or non-verifying → false; never throws. */
export function verifyPush(publicKey: KeyObject, message: string, signature: string): boolean {
  try {
    if (typeof message !== 'string' || !isRsa(publicKey, 'public')) return false;
    const bits = publicKey.asymmetricKeyDetails?.modulusLength;
    if (!bits) return false;
    const raw = decodePushSignature(signature);
    // A PKCS#1 v1.5 signature is exactly as long as the modulus; OpenSSL would reject other
    // lengths too, this just makes the rule explicit (§4 "decodes to the wrong length").
    if (!raw || raw.length !== Math.ceil(bits / 8)) return false;
    return verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      raw,
    );
  } catch {
    return false;
  }
}

/** True iff `der` is one DER SEQUENCE that spans the whole buffer (no trailing bytes). */
function isSingleDerSequence(der: Buffer): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1];
  if (first < 0x80) return 2 + first === der.length;
  const count = first & 0x7f;
  if (count === 0 || count > 3 || der.length < 2 + count) return false;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[2 + i];
  return 2 + count + length === der.length;
}

/**
 * The app's stage-2 `pubkey`: base64 DER SubjectPublicKeyInfo, with the §3 repairs ('-'→'+',
 * '_'→'/', trim, inner spaces→'+'); RSA only, 2048..8192 bits; anything else → PushKeyError.
 */
export function parsePhoneKey(text: string): KeyObject {
  if (typeof text !== 'string') throw new PushKeyError('phone public key missing');
  // Bound first: everything below is linear, but a multi-megabyte form value should cost nothing.
  if (text.length > PHONE_KEY_MAX_CHARS) throw new PushKeyError('phone public key too long');
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .trim()
    .replace(/ /g, '+') // a '+' lost to form decoding arrives as a space
    .replace(/[\r\n]/g, ''); // privacyIDEA wraps the value in PEM armour, where line breaks are fine
  if (b64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) {
    throw new PushKeyError('phone public key is not base64');
  }
  const der = Buffer.from(b64, 'base64');
  // OpenSSL ignores bytes after the SPKI; Python's strict DER parser (used by privacyIDEA) does not.
  if (!isSingleDerSequence(der)) throw new PushKeyError('phone public key is not DER');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw new PushKeyError('phone public key is not a SubjectPublicKeyInfo');
  }
  if (!isRsa(key, 'public')) throw new PushKeyError('phone public key is not an RSA key');
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < PHONE_KEY_MIN_BITS || bits > PHONE_KEY_MAX_BITS) {
    throw new PushKeyError(
      `phone RSA key must have ${PHONE_KEY_MIN_BITS}..${PHONE_KEY_MAX_BITS} bits, not ${bits}`,
    );
  }
  const e = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  // The app (and every common library) uses 65537. A huge exponent would make each signature
  // check of an unauthenticated request cost milliseconds instead of microseconds.
  if (e !== 65537n) throw new PushKeyError('phone RSA key must use the public exponent 65537');
  return key;
}

/** Fresh server pair, asynchronous (e = 65537): PKCS#1 PEMs ("RSA PUBLIC KEY" / "RSA PRIVATE KEY"). */
export async function generateServerKeyPair(
  bits = 4096,
): Promise<{ publicPem: string; privatePem: string }> {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 8192) {
    throw new RangeError('server key size must be an integer from 2048 to 8192 bits');
  }
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 65537,
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicPem: publicKey, privatePem: privateKey };
}

/**
 * `detail.public_key` of stage 2: the PKCS#1 PEM without its first and last line, inner '\n'
 * kept. The app parses an ASN.1 RSAPublicKey, so an SPKI ("PUBLIC KEY") PEM is refused.
 */
export function appPublicKey(publicPkcs1Pem: string): string {
  const lines = String(publicPkcs1Pem)
    .trim()
    .split(/\r?\n/)
    .map((line) => line.trim());
  if (
    lines.length < 3 ||
    lines[0] !== PKCS1_PUBLIC_HEADER ||
    lines[lines.length - 1] !== PKCS1_PUBLIC_FOOTER
  ) {
    throw new PushKeyError('server public key is not a PKCS#1 PEM');
  }
  serverPublicKey(publicPkcs1Pem); // refuse a damaged body rather than hand it to the app
  return lines.slice(1, -1).join('\n');
}

/** The stored server private key (PEM, PKCS#1; PKCS#8 is accepted too). */
export function serverPrivateKey(pkcs1Pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pkcs1Pem, format: 'pem' });
  } catch {
    // Also reached for encrypted PEMs: node asks for a passphrase, which we never have.
    throw new PushKeyError('server private key is not a PEM private key');
  }
  if (!isRsa(key, 'private')) throw new PushKeyError('server private key is not an RSA key');
  return key;
}

/** The stored server public key (PEM, PKCS#1; SPKI is accepted too). */
export function serverPublicKey(pkcs1Pem: string): KeyObject {
  const pem = String(pkcs1Pem).trim();
  // createPublicKey would also derive a public key from a private key or certificate PEM;
  // only public key PEMs belong in `public_key_server`.
  if (!pem.startsWith(PKCS1_PUBLIC_HEADER) && !pem.startsWith(SPKI_PUBLIC_HEADER)) {
    throw new PushKeyError('server public key is not a public key PEM');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new PushKeyError('server public key is not a valid PEM public key');
  }
  if (!isRsa(key, 'public')) throw new PushKeyError('server public key is not an RSA key');
  return key;
}
