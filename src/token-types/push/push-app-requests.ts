import { Inject, Injectable } from '@nestjs/common';
import { ChallengeService } from '../../challenge/challenge.service';
import { ErrorCode, PiError, PolicyError, ResourceNotFoundError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { PushMessage } from '../../crypto/push/push-messages';
import { signPush, verifyPush } from '../../crypto/push/push-signature';
import { LruCache } from '../../crypto/lru-cache';
import { parsePushTimestamp, withinSkew } from '../../crypto/push/push-timestamp';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenStore } from '../../token-data/token.store';
import type { TtypeReply, TtypeRequest } from '../token-type.interface';
import { parseChallengeData, renderQuestion, smartphoneData } from './push-challenge-data';
import { PUSH_TYPE } from './push-enrollment';
import { PushKeys } from './push-keys';
import { pollingAllowed, PushInfo, registrationUrl } from './push-settings';

const MAX_SIGNATURE = 2048;
const SIGNATURE_CACHE_SIZE = 10_000;
const POLL_SKEW_SECONDS = 60;
const UPDATE_SKEW_SECONDS = 300;
const DECLINE_REASONS = { cancelled: 'challenge_cancelled' } as Record<string, string>;

/** privacyIDEA's generic error (id 10, HTTP 400): one message for every poll/update failure. */
const unverified = () => new PiError(ErrorCode.GENERIC, 'Could not verify signature!', 400);

/** Milliseconds as a fixed-width text, so newer stamps compare greater (TokenStore.advanceInfo). */
const stampOf = (d: Date) => String(d.getTime()).padStart(15, '0');

/**
 * The app's signed requests at /ttype/push after enrollment (push.md §6): answers, polls and
 * Firebase token updates. Every request is verified with the phone's key; every state change is a
 * conditional write (answer: compare-and-set on the open row; poll and update: a time stamp that
 * must move forward, so a captured request cannot be replayed).
 */
@Injectable()
export class PushAppRequests {
  private readonly signatures = new LruCache<string, string>(SIGNATURE_CACHE_SIZE);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TokenStore,
    private readonly challenges: ChallengeService,
    private readonly keys: PushKeys,
  ) {}

  /** §6.1: accept, decline (with reason) or a presence answer, signed by the phone. */
  async answer(req: TtypeRequest): Promise<TtypeReply> {
    const { params } = req;
    const serial = params.required('serial', { maxLength: 40, identifier: true });
    const signature = params.required('signature', { maxLength: MAX_SIGNATURE });
    const nonce = params.optional('nonce', { maxLength: 64, identifier: true });
    const decline = params.bool('decline');
    const reason = params.optional('decline_reason', { maxLength: 32, identifier: true });
    const presenceAnswer = params.optional('presence_answer', { maxLength: 16, identifier: true });
    const token = await this.store.findBySerial(serial);
    if (!token || token.type !== PUSH_TYPE) throw new ResourceNotFoundError();
    const phone = this.keys.phoneKey(token);
    if (!phone) return { kind: 'envelope', value: false };
    for (const row of await this.challenges.openForToken(serial)) {
      // Every app version sends the nonce: only that row is a candidate then (push.md §6.1).
      if (nonce !== undefined && row.challenge !== nonce) continue;
      const data = parseChallengeData(row.data);
      const presence = data?.mode === 'require_presence';
      const message = decline
        ? PushMessage.decline(row.challenge, serial, reason)
        : PushMessage.accept(row.challenge, serial, presence ? presenceAnswer : undefined);
      if (!verifyPush(phone, message, signature)) continue;
      if (decline) {
        const session = DECLINE_REASONS[reason ?? ''] ?? 'challenge_declined';
        return { kind: 'envelope', value: await this.challenges.markRefused(row.id, session) };
      }
      if (presence && presenceAnswer !== data?.correct_answer) {
        // A wrong number is a refusal, not a retry: guessing among the options must not work.
        await this.challenges.markRefused(row.id, 'challenge_declined');
        return { kind: 'envelope', value: false };
      }
      const grace = new Date(Date.now() + this.config.push.finalizeGrace * 1000);
      const extendTo = grace > row.expiration ? grace : undefined;
      const ok = await this.challenges.markAnswered(row.id, { extendTo, whileTokenUsable: true });
      return { kind: 'envelope', value: ok };
    }
    return { kind: 'envelope', value: false };
  }

  /** §6.2: the open challenges of the token, each freshly signed, for a signed recent poll. */
  async poll(req: TtypeRequest): Promise<TtypeReply> {
    const push = this.config.push;
    if (push.allowPolling === 'deny') throw new PolicyError('Polling not allowed!');
    const { params } = req;
    const serial = params.required('serial', { maxLength: 40, identifier: true });
    const timestamp = params.required('timestamp', { maxLength: 64 });
    const signature = params.required('signature', { maxLength: MAX_SIGNATURE });
    const at = this.checkTimestamp(timestamp, POLL_SKEW_SECONDS);
    const token = await this.verifiedToken(serial, PushMessage.poll(serial, timestamp), signature);
    if (!pollingAllowed(push, token)) throw new PolicyError('Polling not allowed!');
    if (!(await this.store.advanceInfo(token.id, PushInfo.LAST_POLL, stampOf(at)))) {
      throw unverified();
    }
    const key = this.serverKeyOf(token);
    // PKCS#1 v1.5 signatures are deterministic: a challenge is signed once, not on every poll.
    const sign = (message: string) => {
      const cacheKey = `${serial}\n${message}`;
      let signature = this.signatures.get(cacheKey);
      if (signature === undefined) {
        signature = signPush(key, message);
        this.signatures.set(cacheKey, signature);
      }
      return signature;
    };
    const url = registrationUrl(push, req.baseUrl);
    const question = renderQuestion(push.textOnMobile, {
      serial,
      user: token.row.userLogin ?? undefined,
      realm: token.row.userRealm ?? undefined,
    });
    const value = (await this.challenges.openForToken(serial)).map((row) =>
      smartphoneData(sign, {
        nonce: row.challenge,
        url,
        serial,
        question,
        title: push.titleOnMobile,
        sslverify: push.sslVerify,
        options: parseChallengeData(row.data)?.options,
      }),
    );
    return { kind: 'envelope', value };
  }

  /** §6.3: a new Firebase token, signed with the phone key. */
  async updateFirebaseToken(req: TtypeRequest): Promise<TtypeReply> {
    const { params } = req;
    const serial = params.required('serial', { maxLength: 40, identifier: true });
    const fbtoken = params.required('new_fb_token', { maxLength: 1024, identifier: true });
    const timestamp = params.required('timestamp', { maxLength: 64 });
    const signature = params.required('signature', { maxLength: MAX_SIGNATURE });
    const at = this.checkTimestamp(timestamp, UPDATE_SKEW_SECONDS);
    const message = PushMessage.tokenUpdate(fbtoken, serial, timestamp);
    const token = await this.verifiedToken(serial, message, signature);
    if (!(await this.store.advanceInfo(token.id, PushInfo.LAST_UPDATE, stampOf(at)))) {
      throw unverified();
    }
    await this.store.setInfo(token.id, { [PushInfo.FIREBASE_TOKEN]: fbtoken });
    return { kind: 'envelope', value: true };
  }

  private checkTimestamp(timestamp: string, skewSeconds: number): Date {
    const at = parsePushTimestamp(timestamp);
    const shown = timestamp.slice(0, 64);
    if (!at) {
      throw new PiError(
        ErrorCode.GENERIC,
        `Could not parse timestamp ${shown}. ISO-Format required.`,
        400,
      );
    }
    if (!withinSkew(at, new Date(), skewSeconds)) {
      throw new PiError(ErrorCode.GENERIC, `Timestamp ${shown} not in valid range.`, 400);
    }
    return at;
  }

  /** Unknown serial, other type, no phone key and a bad signature look the same. */
  private async verifiedToken(serial: string, message: string, signature: string) {
    const token = await this.store.findBySerial(serial);
    const phone = token?.type === PUSH_TYPE ? this.keys.phoneKey(token) : undefined;
    if (!token || !phone || !verifyPush(phone, message, signature)) throw unverified();
    return token;
  }

  private serverKeyOf(token: TokenRecord) {
    const key = this.keys.serverKey(token);
    if (!key) throw unverified();
    return key;
  }
}
