import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PinHasher } from '../security/pin-hasher';
import type { TokenRecord } from '../token-types/token-record';

/** PIN handling of the authentication path: otppin mode and the PIN/OTP split. */
@Injectable()
export class PinPolicy {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hasher: PinHasher,
  ) {}

  /** otppin=tokenpin checks the token PIN; otppin=none accepts exactly the empty PIN. */
  checkPin(token: TokenRecord, pin: string): Promise<boolean> {
    if (this.config.tokens.otppinMode === 'none') return Promise.resolve(pin === '');
    return this.hasher.verify(token.row.pinHash, pin);
  }

  /** PIN and OTP from `pass` (PIN first by default); undefined when pass is shorter than otplen. */
  split(pass: string, otplen: number): { pin: string; otp: string } | undefined {
    if (pass.length < otplen) return undefined;
    return this.config.tokens.prependPin
      ? { pin: pass.slice(0, pass.length - otplen), otp: pass.slice(pass.length - otplen) }
      : { pin: pass.slice(otplen), otp: pass.slice(0, otplen) };
  }
}
