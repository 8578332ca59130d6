import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { ParameterError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { base32Encode } from '../../crypto/base32';
import { HASH_SIZE, HashAlgorithm, parseHashAlgorithm } from '../../crypto/hash-algorithm';
import type { OtpKey } from '../../crypto/hotp';
import { decodeOtpKey, OtpKeyError } from '../../crypto/otp-key';
import { oathtokenUri, otpauthUri, renderLabel } from '../../crypto/otpauth-uri';
import type { TokenSecrets } from '../../token-data/token-secrets';
import { BaseTokenType } from '../base-token-type';
import type { TokenRecord } from '../../token-data/token-record';
import type { InitContext } from '../token-type.interface';

/**
 * PNG settings: one "Up" filter, default strategy and deflate level 6 render a code in about half
 * the time of pngjs's defaults (all five filters per row, level 9) with a smaller image (~2 KB).
 * (filterType is a pngjs option that @types/qrcode does not list.)
 */
const QR_OPTIONS: QRCode.QRCodeToBufferOptions = {
  type: 'png',
  errorCorrectionLevel: 'M',
  margin: 2,
  rendererOpts: { deflateStrategy: 0, deflateLevel: 6, ...{ filterType: 2 } },
};

/** A QR code as a PNG data URI, as privacyIDEA returns in `img`. */
export async function qrDataUri(text: string): Promise<string> {
  const png = await QRCode.toBuffer(text, QR_OPTIONS);
  return `data:image/png;base64,${png.toString('base64')}`;
}

export abstract class OathTokenType extends BaseTokenType {
  protected abstract readonly oathType: 'hotp' | 'totp';

  constructor(
    protected readonly config: AppConfig,
    protected readonly secrets: TokenSecrets,
  ) {
    super();
  }

  protected hashOf(token: TokenRecord): HashAlgorithm {
    return parseHashAlgorithm(token.infoValue('hashlib') ?? '') ?? 'sha1';
  }

  /** The HMAC key; TokenKeyUnusableError when the token has none or it is not this token's. */
  protected keyOf(token: TokenRecord): OtpKey {
    return this.secrets.otpKeyObject(token.row);
  }

  /** Extra tokeninfo and URI parameters of the concrete type (TOTP: timeStep…). */
  protected abstract initTypeInfo(ctx: InitContext): { period?: number };

  async init(ctx: InitContext): Promise<Record<string, unknown>> {
    const { params, draft } = ctx;
    const hashName =
      params.optional('hashlib', { maxLength: 20 }) ?? this.config.tokens.hashlib[this.oathType];
    const hash = parseHashAlgorithm(hashName);
    if (!hash) throw new ParameterError(`Invalid hashlib: ${hashName}. Use sha1, sha256 or sha512`);
    const otplen = params.int('otplen') ?? this.config.tokens.otplen;
    if (otplen !== 6 && otplen !== 8) throw new ParameterError('Invalid otplen: use 6 or 8');

    let key: Buffer;
    const otpkey = params.optional('otpkey', { identifier: true });
    if (otpkey !== undefined && !params.bool('genkey')) {
      try {
        key = decodeOtpKey(otpkey, params.optional('otpkeyformat'));
      } catch (e) {
        if (e instanceof OtpKeyError) throw new ParameterError(e.message);
        throw e;
      }
    } else {
      const keysize = params.int('keysize', { min: 10, max: 128 }) ?? HASH_SIZE[hash];
      key = randomBytes(keysize);
    }

    draft.row.otplen = otplen;
    draft.row.count = 0;
    draft.row.failcount = 0;
    draft.otpKeyHex = key.toString('hex');
    draft.info.set('hashlib', { value: hash });
    draft.info.set('tokenkind', { value: 'software' });
    const { period } = this.initTypeInfo(ctx);

    const label = renderLabel(this.config.tokens.label, {
      serial: draft.row.serial,
      user: draft.owner?.login,
      realm: draft.owner?.realm,
    });
    const issuer = renderLabel(this.config.tokens.issuer, {
      serial: draft.row.serial,
      user: draft.owner?.login,
      realm: draft.owner?.realm,
    });
    const googleurl = otpauthUri({
      type: this.oathType,
      key,
      label,
      issuer,
      serial: draft.row.serial,
      digits: otplen,
      hash,
      period,
    });
    const oathurl = oathtokenUri(label, key, this.oathType === 'totp');
    const seed = `seed://${key.toString('hex')}`;
    const [seedImg, googleImg, oathImg] = await Promise.all([
      qrDataUri(seed),
      qrDataUri(googleurl),
      qrDataUri(oathurl),
    ]);
    return {
      otpkey: { description: 'OTP seed', value: seed, img: seedImg, value_b32: base32Encode(key) },
      googleurl: { description: 'URL for google Authenticator', value: googleurl, img: googleImg },
      oathurl: { description: 'URL for OATH token', value: oathurl, img: oathImg },
    };
  }
}
