/** Hash functions the OATH algorithms accept (names as privacyIDEA stores them in tokeninfo). */
export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha1', 'sha256', 'sha512'];

/** Output size in bytes, which is also the default key size for HOTP/TOTP. */
export const HASH_SIZE: Record<HashAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

export function parseHashAlgorithm(value: string): HashAlgorithm | undefined {
  const lower = value.toLowerCase();
  return (HASH_ALGORITHMS as readonly string[]).includes(lower)
    ? (lower as HashAlgorithm)
    : undefined;
}
