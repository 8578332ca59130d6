/**
 * Plain-text replies of the login endpoint ("v1 format", tiqr.md §3.3): every app generation
 * understands them.
 */
export const TiqrReply = {
  OK: 'OK',
  INVALID_CHALLENGE: 'INVALID_CHALLENGE',
  ACCOUNT_BLOCKED: 'ACCOUNT_BLOCKED',
  INVALID_USERID: 'INVALID_USERID',
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** Wrong response; the app shows "blocked" for 0 attempts left. */
  invalidResponse: (attemptsLeft: number) => `INVALID_RESPONSE:${Math.max(0, attemptsLeft)}`,
} as const;
