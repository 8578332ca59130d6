/** A successful OTP/response match and the state to persist with it (conditionally). */
export interface OtpMatch {
  /** Matched counter or time step (for logs and tests). */
  counter: number;
  /** New value of token.count; written only if count is still what was read. */
  newCount: number;
  /** Tokeninfo values to store with the success (e.g. TOTP timeShift). */
  info?: Record<string, string>;
}
