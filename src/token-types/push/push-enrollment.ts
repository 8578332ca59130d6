import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { parsePiDate } from '../../common/dates';
import {
  MissingParameterError,
  ParameterError,
  ResourceNotFoundError,
  ServiceBusyError,
} from '../../common/errors';
import { BoundedSlots, SlotsExhaustedError } from '../../security/bounded-slots';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import {
  appPublicKey,
  generateServerKeyPair,
  parsePhoneKey,
  PushKeyError,
} from '../../crypto/push/push-signature';
import { TokenSecrets } from '../../token-data/token-secrets';
import { TokenStore } from '../../token-data/token.store';
import type { TtypeReply, TtypeRequest } from '../token-type.interface';
import { PushInfo, SERVER_KEY_PURPOSE } from './push-settings';

export const PUSH_TYPE = 'push';
const INVALID_CREDENTIAL =
  'Invalid enrollment credential. You are not authorized to finalize this token.';
const NOT_WAITING = "No token with this serial number in the rollout state 'clientwait'.";
const MAX_FBTOKEN = 1024;
const KEYGEN_CONCURRENCY = 1;
const KEYGEN_QUEUE = 16;
const MAX_PUBKEY = 4096;

function sameCredential(stored: string | undefined, given: string): boolean {
  if (stored === undefined || stored.length !== given.length) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(given));
}

/**
 * Enrollment stage 2 (push.md §3): the app proves it scanned the QR code (one-time credential,
 * valid PUSH_TTL minutes), hands over its public key and gets the server's. The credential is
 * checked before the costly server key generation, and consumed in the same transaction that
 * activates the token, so of concurrent attempts exactly one enrolls.
 */
@Injectable()
export class PushEnrollment {
  /** Server key generation is seconds of CPU: a few at a time, a short line, then 503. */
  private readonly keygen = new BoundedSlots(KEYGEN_CONCURRENCY, KEYGEN_QUEUE);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TokenStore,
    private readonly secrets: TokenSecrets,
  ) {}

  private generate() {
    return this.keygen.run(() => generateServerKeyPair(this.config.push.serverKeyBits));
  }

  async register(req: TtypeRequest): Promise<TtypeReply> {
    const { params } = req;
    const serial = params.required('serial', { maxLength: 40, identifier: true });
    const fbtoken = params.required('fbtoken', { maxLength: MAX_FBTOKEN, identifier: true });
    const pubkey = params.required('pubkey', { maxLength: MAX_PUBKEY });
    const token = await this.store.findBySerial(serial);
    if (
      !token ||
      token.type !== PUSH_TYPE ||
      token.row.rolloutState !== 'clientwait' ||
      token.row.revoked ||
      token.row.locked
    ) {
      throw new ResourceNotFoundError(NOT_WAITING);
    }
    const credential = params.optional('enrollment_credential', { maxLength: 64 });
    if (credential === undefined) throw new MissingParameterError('enrollment_credential');
    if (!sameCredential(token.infoValue(PushInfo.CREDENTIAL), credential)) {
      throw new ParameterError(INVALID_CREDENTIAL);
    }
    const expires = parsePiDate(token.infoValue(PushInfo.CREDENTIAL_EXPIRES) ?? '');
    if (!expires || expires.getTime() < Date.now()) {
      throw new ParameterError(
        'The enrollment credential has expired (PUSH_TTL); enroll the token again.',
      );
    }
    try {
      parsePhoneKey(pubkey);
    } catch (e) {
      if (e instanceof PushKeyError) throw new ParameterError(`Invalid pubkey: ${e.message}`);
      throw e;
    }
    // Claimed before the costly key generation: one credential buys one key pair, however many
    // requests carry it.
    if (!(await this.store.consumeInfo(token.id, PushInfo.CREDENTIAL, credential))) {
      throw new ParameterError(INVALID_CREDENTIAL);
    }
    let pair: { publicPem: string; privatePem: string };
    try {
      pair = await this.generate();
    } catch (e) {
      // Nothing was enrolled: the phone may try again with the same credential.
      await this.store.setInfo(token.id, { [PushInfo.CREDENTIAL]: credential });
      if (e instanceof SlotsExhaustedError) throw new ServiceBusyError();
      throw e;
    }
    const done = await this.store.completeDeviceEnrollment(
      token.id,
      undefined,
      { activate: true },
      {
        [PushInfo.PHONE_KEY]: pubkey,
        [PushInfo.FIREBASE_TOKEN]: fbtoken,
        [PushInfo.SERVER_PUBLIC_KEY]: pair.publicPem,
        [PushInfo.SERVER_PRIVATE_KEY]: this.secrets.seal(
          serial,
          pair.privatePem,
          SERVER_KEY_PURPOSE,
        ),
        [PushInfo.CREDENTIAL_EXPIRES]: '',
      },
    );
    // Re-initialised meanwhile (no longer clientwait): this enrollment is void.
    if (!done) throw new ParameterError(INVALID_CREDENTIAL);
    return {
      kind: 'envelope',
      value: true,
      detail: { serial, rollout_state: 'enrolled', public_key: appPublicKey(pair.publicPem) },
    };
  }
}
