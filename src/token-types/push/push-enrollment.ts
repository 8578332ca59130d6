import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { parsePiDate } from '../../common/dates';
import { MissingParameterError, ParameterError, ResourceNotFoundError } from '../../common/errors';
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
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TokenStore,
    private readonly secrets: TokenSecrets,
  ) {}

  async register(req: TtypeRequest): Promise<TtypeReply> {
    const { params } = req;
    const serial = params.required('serial', { maxLength: 40, identifier: true });
    const fbtoken = params.required('fbtoken', { maxLength: MAX_FBTOKEN, identifier: true });
    const pubkey = params.required('pubkey', { maxLength: MAX_PUBKEY });
    const token = await this.store.findBySerial(serial);
    if (!token || token.type !== PUSH_TYPE || token.row.rolloutState !== 'clientwait') {
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
    const pair = await generateServerKeyPair(this.config.push.serverKeyBits);
    const done = await this.store.completeDeviceEnrollment(
      token.id,
      { key: PushInfo.CREDENTIAL, value: credential },
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
      },
    );
    // Another request with the same credential won the race; this one changed nothing.
    if (!done) throw new ParameterError(INVALID_CREDENTIAL);
    return {
      kind: 'envelope',
      value: true,
      detail: { serial, rollout_state: 'enrolled', public_key: appPublicKey(pair.publicPem) },
    };
  }
}
