import { Algorithm, hash, verify } from '@node-rs/argon2';
import { timingSafeEqual } from 'node:crypto';

export interface PinHashCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * Token PINs as argon2id PHC strings. An empty PIN is stored as '' (no hash): such a token's PIN
 * is the empty string, which keeps checks of PIN-less tokens off the argon2 thread pool.
 */
export class PinHasher {
  constructor(private readonly cost: PinHashCost) {}

  async hash(pin: string): Promise<string> {
    if (pin === '') return '';
    return hash(pin, { algorithm: Algorithm.Argon2id, ...this.cost });
  }

  async verify(stored: string, pin: string): Promise<boolean> {
    if (stored === '') return pin.length === 0 && timingSafeEqual(Buffer.alloc(0), Buffer.alloc(0));
    if (pin.length > 1024) return false;
    try {
      return await verify(stored, pin);
    } catch {
      return false;
    }
  }
}
