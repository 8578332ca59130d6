/** Inputs of the server's challenge signature (§4, §5.1); all values are the strings sent to the app. */
export interface PushChallengeFields {
  nonce: string;
  url: string;
  serial: string;
  question: string;
  title: string;
  sslverify: string;
  /** Comma-joined presence options; present (even empty) → appended, as privacyIDEA's `is not None`. */
  requirePresence?: string;
}

/**
 * The exact '|'-joined strings of §4 that are signed (UTF-8, no trailing newline). Fields are
 * not escaped: a '|' inside a value is signed as is, exactly as privacyIDEA and the app do.
 */
export const PushMessage = {
  challenge(c: PushChallengeFields): string {
    const parts = [c.nonce, c.url, c.serial, c.question, c.title, c.sslverify];
    if (c.requirePresence !== undefined) parts.push(c.requirePresence);
    return parts.join('|');
  },

  /** An empty presence answer counts as absent (privacyIDEA tests it for truthiness). */
  accept(nonce: string, serial: string, presenceAnswer?: string): string {
    return presenceAnswer ? `${nonce}|${serial}|${presenceAnswer}` : `${nonce}|${serial}`;
  },

  /** An empty reason counts as absent; the reason is only signed by apps told about the capability. */
  decline(nonce: string, serial: string, reason?: string): string {
    return reason ? `${nonce}|${serial}|decline|${reason}` : `${nonce}|${serial}|decline`;
  },

  /** The timestamp exactly as the app sent it, not re-formatted. */
  poll(serial: string, timestamp: string): string {
    return `${serial}|${timestamp}`;
  },

  tokenUpdate(newFbToken: string, serial: string, timestamp: string): string {
    return `${newFbToken}|${serial}|${timestamp}`;
  },
};
