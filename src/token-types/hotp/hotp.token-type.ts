import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { findHotpCounter, hotp, otpEquals } from '../../crypto/hotp';
import { clamp, WINDOW_CAPS } from '../../token-data/token-limits';
import { TokenSecrets } from '../../token-data/token-secrets';
import { OathTokenType } from '../oath/oath-token-type';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenType } from '../token-type.decorator';
import type { OtpMatch } from '../token-type.interface';

/** Event-based OATH token (RFC 4226): `count` is the next counter the server accepts. */
@TokenType({
  type: 'hotp',
  prefix: 'OATH',
  aliases: ['hmac'],
  description: 'HOTP: event based OTP token',
})
@Injectable()
export class HotpTokenType extends OathTokenType {
  protected readonly oathType = 'hotp' as const;

  constructor(@Inject(APP_CONFIG) config: AppConfig, secrets: TokenSecrets) {
    super(config, secrets);
  }

  protected initTypeInfo(): { period?: number } {
    return {};
  }

  override checkOtp(token: TokenRecord, otp: string): OtpMatch | null {
    const { count, otplen } = token.row;
    // Clamped also here: rows written before the caps must not cost more per check.
    const c = findHotpCounter(
      this.keyOf(token),
      otp,
      count,
      clamp(token.row.countWindow, WINDOW_CAPS.countWindow),
      otplen,
      this.hashOf(token),
    );
    return c < 0 ? null : { counter: c, newCount: c + 1 };
  }

  override isPreviousOtp(token: TokenRecord, otp: string): boolean {
    const { count, otplen } = token.row;
    if (count <= 0 || otp.length !== otplen) return false;
    return findHotpCounter(this.keyOf(token), otp, count - 1, 1, otplen, this.hashOf(token)) >= 0;
  }

  /** Two consecutive OTPs within sync_window; the counter moves past both. */
  override resync(token: TokenRecord, otp1: string, otp2: string): OtpMatch | null {
    const { count, otplen } = token.row;
    const syncWindow = clamp(token.row.syncWindow, WINDOW_CAPS.syncWindow);
    const key = this.keyOf(token);
    const hash = this.hashOf(token);
    const c = findHotpCounter(key, otp1, count, syncWindow, otplen, hash);
    if (c < 0 || otp2.length !== otplen || !otpEquals(hotp(key, c + 1, otplen, hash), otp2)) {
      return null;
    }
    return { counter: c + 1, newCount: c + 2 };
  }
}
