import { Inject, Injectable } from '@nestjs/common';
import { ParameterError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { findHotpCounter, hotp, otpEquals } from '../../crypto/hotp';
import { timeStepAt } from '../../crypto/totp';
import { clamp, MAX_TIME_SHIFT, TOTP_TIME_STEPS, WINDOW_CAPS } from '../../token-data/token-limits';
import { TokenSecrets } from '../../token-data/token-secrets';
import { OathTokenType } from '../oath/oath-token-type';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenType } from '../token-type.decorator';
import type { InitContext, OtpMatch } from '../token-type.interface';

/**
 * Time-based OATH token (RFC 6238). `count` holds the last accepted time step, so a step at or
 * below it is a replay; tokeninfo timeShift tracks the device's clock drift.
 */
@TokenType({ type: 'totp', prefix: 'TOTP', description: 'TOTP: time based OTP token' })
@Injectable()
export class TotpTokenType extends OathTokenType {
  protected readonly oathType = 'totp' as const;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    secrets: TokenSecrets,
    /** Injectable clock for tests of drift and windows. */
  ) {
    super(config, secrets);
  }

  /** Seconds since the epoch; a method so tests can move time. */
  now(): number {
    return Date.now() / 1000;
  }

  protected initTypeInfo(ctx: InitContext): { period?: number } {
    const { params, draft } = ctx;
    const step = params.int('timeStep') ?? this.config.tokens.totpTimeStep;
    if (!TOTP_TIME_STEPS.includes(step)) throw new ParameterError('Invalid timeStep: use 30 or 60');
    const window =
      params.int('timeWindow', { min: 0, max: WINDOW_CAPS.totpTimeWindow }) ??
      this.config.tokens.totpTimeWindow;
    const shiftText = params.optional('timeShift') ?? '0';
    const shift = Number(shiftText);
    if (!Number.isFinite(shift) || Math.abs(shift) > MAX_TIME_SHIFT) {
      throw new ParameterError('Invalid timeShift');
    }
    draft.info.set('timeStep', { value: String(step) });
    draft.info.set('timeWindow', { value: String(window) });
    draft.info.set('timeShift', { value: String(shift) });
    return { period: step };
  }

  /** The stored window is clamped too: rows written before the cap must not cost more. */
  private timing(token: TokenRecord) {
    const stored = token.infoInt('timeStep', this.config.tokens.totpTimeStep);
    const step = stored > 0 ? stored : 30;
    const window = clamp(
      token.infoInt('timeWindow', this.config.tokens.totpTimeWindow),
      WINDOW_CAPS.totpTimeWindow,
    );
    const shift = token.infoInt('timeShift', 0);
    return { step, window, shift };
  }

  override checkOtp(token: TokenRecord, otp: string): OtpMatch | null {
    const { step, window, shift } = this.timing(token);
    const now = this.now();
    const t = timeStepAt(now + shift, step);
    const steps = Math.floor(window / step);
    const start = Math.max(0, t - steps);
    const { otplen, count } = token.row;
    const c = findHotpCounter(
      this.keyOf(token),
      otp,
      start,
      t + steps - start,
      otplen,
      this.hashOf(token),
    );
    if (c < 0 || (count !== 0 && c <= count)) return null;
    // Drift tracking: remember where the device's clock is relative to ours.
    const newShift = Math.round(c * step - now);
    return { counter: c, newCount: c, info: { timeShift: String(newShift) } };
  }

  override isPreviousOtp(token: TokenRecord, otp: string): boolean {
    const { count, otplen } = token.row;
    if (count <= 0 || otp.length !== otplen) return false;
    return otpEquals(hotp(this.keyOf(token), count, otplen, this.hashOf(token)), otp);
  }

  /**
   * Two consecutive OTPs within ±sync_window steps. Deviation from privacyIDEA (hotp-totp.md §4,
   * Proposed): count = r2, not r2 + 1, so the next OTP after a resync works.
   */
  override resync(token: TokenRecord, otp1: string, otp2: string): OtpMatch | null {
    const { step, shift } = this.timing(token);
    const now = this.now();
    const t = timeStepAt(now + shift, step);
    const { otplen, count } = token.row;
    const syncWindow = clamp(token.row.syncWindow, WINDOW_CAPS.syncWindow);
    const key = this.keyOf(token);
    const hash = this.hashOf(token);
    const r2 = findHotpCounter(key, otp2, t - syncWindow, 2 * syncWindow, otplen, hash);
    let r1 = findHotpCounter(key, otp1, t - 1 - syncWindow, 2 * syncWindow, otplen, hash);
    if (r1 < count) r1 = -1;
    if (r1 < 0 || r1 + 1 !== r2) return null;
    const newShift = Math.round((r2 + 0.5) * step - now);
    return { counter: r2, newCount: r2, info: { timeShift: String(newShift) } };
  }
}
