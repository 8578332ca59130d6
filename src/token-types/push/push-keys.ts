import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { LruCache } from '../../crypto/lru-cache';
import { parsePhoneKey, serverPrivateKey } from '../../crypto/push/push-signature';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenSecrets } from '../../token-data/token-secrets';
import { PushInfo, SERVER_KEY_PURPOSE } from './push-settings';

const CACHE_SIZE = 5_000;

/**
 * The two RSA keys of a push token, parsed once and cached by their stored text (a new key is a
 * new entry): parsing a 4096-bit PEM costs more than the signature it is used for.
 */
@Injectable()
export class PushKeys {
  private readonly phone = new LruCache<string, KeyObject>(CACHE_SIZE);
  private readonly server = new LruCache<string, KeyObject>(CACHE_SIZE);

  constructor(private readonly secrets: TokenSecrets) {}

  /** The phone's public key, or undefined when the token has none (or an unusable one). */
  phoneKey(token: TokenRecord): KeyObject | undefined {
    const text = token.infoValue(PushInfo.PHONE_KEY);
    if (!text) return undefined;
    let key = this.phone.get(text);
    if (!key) {
      try {
        key = parsePhoneKey(text);
      } catch {
        return undefined;
      }
      this.phone.set(text, key);
    }
    return key;
  }

  /** The server's private key; undefined when missing or not decryptable for this token. */
  serverKey(token: TokenRecord): KeyObject | undefined {
    const sealed = token.infoValue(PushInfo.SERVER_PRIVATE_KEY);
    if (!sealed) return undefined;
    const cacheKey = `${token.serial}\n${sealed}`;
    let key = this.server.get(cacheKey);
    if (!key) {
      try {
        key = serverPrivateKey(this.secrets.open(token.serial, sealed, SERVER_KEY_PURPOSE));
      } catch {
        return undefined;
      }
      this.server.set(cacheKey, key);
    }
    return key;
  }
}
