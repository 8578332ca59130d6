import { randomBytes } from 'node:crypto';

export const SERIAL_PATTERN = /^[0-9a-zA-Z\-_]+$/;

/** <prefix><4-digit count><random upper-case hex> up to serialLength (tokenclass.md §3). */
export function generateSerial(
  prefix: string,
  existingOfType: number,
  serialLength: number,
): string {
  const digits = String(existingOfType).padStart(4, '0');
  const randomLength = Math.max(serialLength - digits.length, 0);
  const random = randomBytes(Math.ceil(randomLength / 2) + 1)
    .toString('hex')
    .toUpperCase()
    .slice(0, randomLength);
  return `${prefix}${digits}${random}`;
}
