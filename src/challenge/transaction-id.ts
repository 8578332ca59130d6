import { randomInt } from 'node:crypto';

/** 20 random decimal digits from the CSPRNG (challenge.md §2); a string, leading zeros kept. */
export function newTransactionId(digits = 20): string {
  let out = '';
  while (out.length < digits) out += randomInt(0, 1_000_000_000).toString().padStart(9, '0');
  return out.slice(0, digits);
}
