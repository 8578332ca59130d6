import { randomInt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { PushConfig } from '../../config/app-config';
import { PushMessage } from '../../crypto/push/push-messages';
import { signPush } from '../../crypto/push/push-signature';

/** What the challenge row's `data` holds (push.md §5.1, §8). Never shown to the phone. */
export interface PushChallengeData {
  type: 'push';
  mode: 'standard' | 'require_presence';
  options?: string[];
  correct_answer?: string;
}

export function parseChallengeData(data: string): PushChallengeData | undefined {
  try {
    const v = JSON.parse(data) as PushChallengeData;
    return v && v.type === 'push' ? v : undefined;
  } catch {
    return undefined;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const NUMBERS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Distinct options from the configured alphabet and the one the user must press (§8). */
export function drawPresence(config: PushConfig): { options: string[]; correct: string } {
  const pool =
    config.presenceOptions === 'NUMERIC'
      ? [...NUMBERS]
      : config.presenceOptions === 'CUSTOM'
        ? [...config.presenceCustomOptions]
        : [...ALPHABET];
  const n = Math.min(config.presenceNumOptions, pool.length);
  // Partial Fisher-Yates with a CSPRNG: the options and the answer are unpredictable.
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const options = pool.slice(0, n);
  return { options, correct: options[randomInt(n)] };
}

/** `{serial}`, `{user}`, `{realm}` in the text on the phone (push_text_on_mobile). */
export function renderQuestion(
  template: string,
  vars: { serial: string; user?: string; realm?: string },
): string {
  const values: Record<string, string> = {
    serial: vars.serial,
    user: vars.user ?? '',
    realm: vars.realm ?? '',
  };
  return template.replace(/\{(serial|user|realm)\}/g, (_m, k: string) => values[k]);
}

/**
 * The challenge as the phone receives it (Firebase data or one poll item), signed with the
 * server key over exactly the string the app rebuilds (push.md §4). All values are strings.
 */
export function smartphoneData(
  key: KeyObject | ((message: string) => string),
  c: {
    nonce: string;
    url: string;
    serial: string;
    question: string;
    title: string;
    sslverify: string;
    options?: string[];
  },
): Record<string, string> {
  const requirePresence = c.options?.join(',');
  const message = PushMessage.challenge({
    nonce: c.nonce,
    url: c.url,
    serial: c.serial,
    question: c.question,
    title: c.title,
    sslverify: c.sslverify,
    requirePresence,
  });
  const signature = typeof key === 'function' ? key(message) : signPush(key, message);
  const out: Record<string, string> = {
    nonce: c.nonce,
    question: c.question,
    serial: c.serial,
    title: c.title,
    sslverify: c.sslverify,
    url: c.url,
    signature,
  };
  if (requirePresence !== undefined) {
    out.require_presence = requirePresence;
    out.version = '2';
  }
  return out;
}
