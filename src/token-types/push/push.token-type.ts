import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ChallengeService } from '../../challenge/challenge.service';
import type { Challenge } from '../../challenge/entities/challenge.entity';
import { isoSeconds } from '../../common/dates';
import { ParameterError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { renderLabel } from '../../crypto/otpauth-uri';
import { newPushNonce, pushEnrollmentUri } from '../../crypto/push/push-uri';
import type { TokenRecord } from '../../token-data/token-record';
import { BaseTokenType } from '../base-token-type';
import { qrDataUri } from '../oath/oath-token-type';
import { TokenType } from '../token-type.decorator';
import type {
  ChallengeCheck,
  ChallengeContext,
  ChallengeSpec,
  InitContext,
  TtypeReply,
  TtypeRequest,
} from '../token-type.interface';
import { PushAppRequests } from './push-app-requests';
import {
  drawPresence,
  parseChallengeData,
  renderQuestion,
  smartphoneData,
  type PushChallengeData,
} from './push-challenge-data';
import { PushDelivery } from './push-delivery';
import { PushEnrollment } from './push-enrollment';
import { PushKeys } from './push-keys';
import {
  NO_FIREBASE_TOKEN,
  POLL_ONLY,
  POLLING_HINT,
  pollingAllowed,
  PushInfo,
  registrationUrl,
} from './push-settings';

const PRESENCE_KEY = 'push.presence';

/**
 * Push (push.md) for the privacyIDEA Authenticator: two-step enrollment with RSA key exchange,
 * challenges delivered through Firebase or fetched by polling, answers signed by the phone and
 * finalized by the relying party. Optional number matching (PUSH_REQUIRE_PRESENCE).
 */
@TokenType({
  type: 'push',
  prefix: 'PIPU',
  description: 'Push: confirm on the privacyIDEA Authenticator',
})
@Injectable()
export class PushTokenType extends BaseTokenType {
  override readonly clientMode = 'poll' as const;
  override readonly challengeMode = 'always' as const;
  override readonly outOfBand = true;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly enrollment: PushEnrollment,
    private readonly appRequests: PushAppRequests,
    private readonly delivery: PushDelivery,
    private readonly keys: PushKeys,
    private readonly challenges: ChallengeService,
  ) {
    super();
  }

  async init(ctx: InitContext): Promise<Record<string, unknown>> {
    const { params, draft } = ctx;
    const push = this.config.push;
    if (!params.has('genkey')) {
      throw new ParameterError(
        'Invalid Parameters. Either provide (genkey) or (serial, fbtoken, pubkey).',
      );
    }
    // Unusable until the phone completes stage 2 (and an old phone's keys stop working now).
    draft.row.active = false;
    draft.row.rolloutState = 'clientwait';
    draft.row.keyEnc = null;
    draft.row.count = 0;
    draft.row.failcount = 0;
    const credential = randomBytes(20).toString('hex');
    const expires = new Date(Date.now() + push.ttl * 60_000);
    draft.info.set(PushInfo.CREDENTIAL, { value: credential, type: 'password' });
    draft.info.set(PushInfo.CREDENTIAL_EXPIRES, { value: isoSeconds(expires) });
    draft.info.set(PushInfo.FIREBASE_CONFIG, { value: push.firebaseConfiguration });
    draft.info.set(PushInfo.PHONE_KEY, { value: '' });
    draft.info.set(PushInfo.SERVER_PRIVATE_KEY, { value: '' });
    draft.info.set(PushInfo.SERVER_PUBLIC_KEY, { value: '' });
    draft.info.set(PushInfo.FIREBASE_TOKEN, { value: '' });
    draft.info.set('tokenkind', { value: 'software' });
    const vars = {
      serial: draft.row.serial,
      user: draft.owner?.login,
      realm: draft.owner?.realm,
    };
    const value = pushEnrollmentUri({
      scheme: push.usePiaScheme ? 'pia' : 'otpauth',
      label: renderLabel(this.config.tokens.label, vars),
      url: registrationUrl(push, ctx.baseUrl),
      ttl: push.ttl,
      issuer: renderLabel(this.config.tokens.issuer, vars),
      enrollmentCredential: credential,
      serial: draft.row.serial,
      sslverify: push.sslVerify,
      pollOnly: push.firebaseConfiguration === POLL_ONLY,
      pin: push.forceAppPin || undefined,
    });
    return {
      pushurl: {
        description: 'URL for privacyIDEA Push Token',
        value,
        img: await qrDataUri(value),
      },
      enrollment_credential: credential,
    };
  }

  override createChallenge(ctx: ChallengeContext): Promise<ChallengeSpec> {
    const push = this.config.push;
    const data: PushChallengeData = { type: 'push', mode: 'standard' };
    let message = push.challengeText;
    let extra: Record<string, unknown> | undefined;
    if (push.requirePresence && !ctx.waiting) {
      // One set of options for all push tokens of this request (push.md §8).
      let presence = ctx.shared.get(PRESENCE_KEY) as ReturnType<typeof drawPresence> | undefined;
      if (!presence) {
        presence = drawPresence(push);
        ctx.shared.set(PRESENCE_KEY, presence);
      }
      data.mode = 'require_presence';
      data.options = presence.options;
      data.correct_answer = presence.correct;
      message = message.includes('{presence_answer}')
        ? message.replaceAll('{presence_answer}', presence.correct)
        : `${message} Please press: ${presence.correct}`;
      extra = { presence_answer: presence.correct };
    }
    return Promise.resolve({
      message,
      challenge: newPushNonce(),
      data: JSON.stringify(data),
      attributes: { hideResponseInput: true },
      extra,
    });
  }

  /** Firebase delivery once the row exists; a failure leaves it pollable and says so. */
  async challengeCreated(
    ctx: ChallengeContext,
    spec: ChallengeSpec,
    row: Challenge,
  ): Promise<ChallengeSpec | string> {
    const { token } = ctx;
    const fbConfig = token.infoValue(PushInfo.FIREBASE_CONFIG) ?? POLL_ONLY;
    if (fbConfig === POLL_ONLY) return spec;
    const deviceToken = token.infoValue(PushInfo.FIREBASE_TOKEN) ?? '';
    const key = this.keys.serverKey(token);
    let sent = false;
    if (key && deviceToken && deviceToken !== NO_FIREBASE_TOKEN) {
      const push = this.config.push;
      const data = smartphoneData(key, {
        nonce: row.challenge,
        url: registrationUrl(push, ctx.baseUrl),
        serial: token.serial,
        question: renderQuestion(push.textOnMobile, {
          serial: token.serial,
          user: token.row.userLogin ?? undefined,
          realm: token.row.userRealm ?? undefined,
        }),
        title: push.titleOnMobile,
        sslverify: push.sslVerify,
        options: parseChallengeData(row.data)?.options,
      });
      sent = await this.delivery.deliver(token.serial, deviceToken, data);
    }
    if (sent) return spec;
    // Neither delivered nor pollable: a row nobody can answer is not kept (push.md §5.1).
    if (!pollingAllowed(this.config.push, token)) {
      await this.challenges.deleteTransaction(row.transactionId, [token.serial]);
      return spec.message + POLLING_HINT;
    }
    return { ...spec, message: spec.message + POLLING_HINT };
  }

  /** Finalizing: the phone's answer decides; `pass` is ignored (push.md §5.3). */
  override checkChallengeResponse(_t: TokenRecord, _pass: string, row: Challenge): ChallengeCheck {
    return row.otpValid ? { matched: true } : { matched: false };
  }

  /** POST dispatch in privacyIDEA's order (push.md §6); GET polls. */
  ttype(req: TtypeRequest): Promise<TtypeReply> {
    if (req.method === 'GET') return this.appRequests.poll(req);
    const p = req.params;
    if (p.has('fbtoken') && p.has('pubkey')) return this.enrollment.register(req);
    if (p.has('signature') && !p.has('new_fb_token')) return this.appRequests.answer(req);
    if (p.has('new_fb_token') && p.has('timestamp') && p.has('signature')) {
      return this.appRequests.updateFirebaseToken(req);
    }
    throw new ParameterError('Missing parameters!');
  }
}
