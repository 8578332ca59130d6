import { Algorithm, hash, verify } from '@node-rs/argon2';
import { timingSafeEqual } from 'node:crypto';
import { ServiceBusyError } from '../common/errors';
import { BoundedSlots, SlotsExhaustedError } from './bounded-slots';

export interface PinHashCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * Token PINs as argon2id PHC strings. An empty PIN is stored as '' (no hash): such a token's PIN
 * is the empty string, which keeps checks of PIN-less tokens off the argon2 thread pool.
 *
 * Every hash runs in one of a bounded number of slots with a bounded waiting line: a flood of
 * PIN guesses gets quick 503s instead of queueing without limit in front of everyone's checks.
 */
export class PinHasher {
  constructor(
    private readonly cost: PinHashCost,
    private readonly slots = new BoundedSlots(4, 256),
  ) {}

  async hash(pin: string): Promise<string> {
    if (pin === '') return '';
    return this.inSlot(() => hash(pin, { algorithm: Algorithm.Argon2id, ...this.cost }));
  }

  /** True when the PIN matches `stored`. */
  async verify(stored: string, pin: string): Promise<boolean> {
    if (stored === '') return pin.length === 0 && timingSafeEqual(Buffer.alloc(0), Buffer.alloc(0));
    if (pin.length > 1024) return false;
    return this.inSlot(async () => {
      try {
        return await verify(stored, pin);
      } catch {
        return false;
      }
    });
  }

  /** Whether verify(stored, pin) runs argon2 (a non-empty stored hash and a plausible PIN). */
  static costsHash(stored: string, pin: string): boolean {
    return stored !== '' && pin.length <= 1024;
  }

  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.slots.run(work);
    } catch (e) {
      if (e instanceof SlotsExhaustedError) throw new ServiceBusyError();
      throw e;
    }
  }
}
