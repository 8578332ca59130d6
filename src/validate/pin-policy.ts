import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PinHasher } from '../security/pin-hasher';
import type { TokenRecord } from '../token-data/token-record';

/** PIN hash verifications one request may still run (PIN_HASH_MAX_PER_REQUEST). */
export class HashBudget {
  constructor(public remaining: number) {}
}

/** The budget ran out before this PIN could be checked: the token was not evaluated. */
export const BUDGET_EXHAUSTED = 'exhausted';

/** PIN handling of the authentication path: otppin mode and the PIN/OTP split. */
@Injectable()
export class PinPolicy {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hasher: PinHasher,
  ) {}

  newBudget(): HashBudget {
    return new HashBudget(this.config.limits.pinHashesPerRequest);
  }

  /** Whether checking this token's PIN (any PIN) runs argon2. */
  costsHash(token: TokenRecord, otpOnly: boolean): boolean {
    return !otpOnly && this.config.tokens.otppinMode !== 'none' && token.row.pinHash !== '';
  }

  /**
   * otppin=tokenpin checks the token PIN; otppin=none accepts exactly the empty PIN. A check that
   * needs an argon2 verification takes one unit of `budget`, or answers BUDGET_EXHAUSTED.
   */
  async checkPin(
    token: TokenRecord,
    pin: string,
    budget: HashBudget,
  ): Promise<boolean | typeof BUDGET_EXHAUSTED> {
    if (this.config.tokens.otppinMode === 'none') return pin === '';
    if (PinHasher.costsHash(token.row.pinHash, pin)) {
      if (budget.remaining <= 0) return BUDGET_EXHAUSTED;
      budget.remaining--;
    }
    return this.hasher.verify(token.row.pinHash, pin);
  }

  /**
   * checkPin's answer where it runs no argon2 hash (otppin=none, a token without PIN, an overlong
   * PIN), computed without a promise; undefined when checkPin would hash.
   */
  checkPinWithoutHash(token: TokenRecord, pin: string): boolean | undefined {
    if (this.config.tokens.otppinMode === 'none') return pin === '';
    if (PinHasher.costsHash(token.row.pinHash, pin)) return undefined;
    // PinHasher.verify without a hash: only the empty PIN matches a token without PIN.
    return token.row.pinHash === '' && pin.length === 0;
  }

  /** PIN and OTP from `pass` (PIN first by default); undefined when pass is shorter than otplen. */
  split(pass: string, otplen: number): { pin: string; otp: string } | undefined {
    if (pass.length < otplen) return undefined;
    return this.config.tokens.prependPin
      ? { pin: pass.slice(0, pass.length - otplen), otp: pass.slice(pass.length - otplen) }
      : { pin: pass.slice(otplen), otp: pass.slice(0, otplen) };
  }
}
