import { Inject, Injectable } from '@nestjs/common';
import { ChallengeService } from '../challenge/challenge.service';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Detail } from '../common/envelope';
import type { ParamReader } from '../common/params/param-reader';
import type { TokenRecord } from '../token-data/token-record';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import { fitnessProblem } from '../token-data/token-fitness';

const PREFERRED_CLIENT_MODES = ['interactive', 'webauthn', 'poll'];

export const TOO_MANY_CHALLENGES = 'Too many open challenges for this token, try again later';

export interface IssueOptions {
  /** Authenticated caller (admin triggerchallenge): may choose challenge data freely. */
  trusted: boolean;
  /** push_wait: the request itself waits for the answer. */
  waiting?: boolean;
}

/** create_challenges_from_tokens (challenge.md §3): one transaction id for all tokens. */
@Injectable()
export class ChallengeIssuer {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: TokenTypeRegistry,
    private readonly challenges: ChallengeService,
  ) {}

  async issue(
    tokens: TokenRecord[],
    options: ParamReader,
    baseUrl: string,
    opts: IssueOptions,
  ): Promise<Detail> {
    const multi: Detail[] = [];
    const messages: string[] = [];
    const detail: Detail = {};
    let transactionId: string | undefined;
    const shared = new Map<string, unknown>();
    for (const token of tokens) {
      const problem = fitnessProblem(token);
      if (problem) {
        messages.push(problem);
        continue;
      }
      const handler = this.registry.handlerOf(token.type);
      const tid = transactionId ?? this.challenges.newTransactionId();
      const ctx = {
        token,
        transactionId: tid,
        options,
        baseUrl,
        trusted: opts.trusted,
        shared,
        waiting: opts.waiting,
      };
      let spec = await handler.createChallenge(ctx);
      const created = await this.challenges.createBelowCap(
        {
          transactionId: tid,
          serial: token.serial,
          tokentype: token.type,
          challenge: spec.challenge,
          data: spec.data,
        },
        this.config.challenges.maxOpenPerToken,
      );
      if (!created) {
        messages.push(TOO_MANY_CHALLENGES);
        continue;
      }
      if (handler.challengeCreated) {
        const delivered = await handler.challengeCreated(ctx, spec, created);
        if (typeof delivered === 'string') {
          messages.push(delivered);
          continue;
        }
        spec = delivered;
      }
      transactionId = tid;
      messages.push(spec.message);
      const info: Detail = {
        transaction_id: tid,
        serial: token.serial,
        type: token.type,
        client_mode: spec.clientMode ?? handler.clientMode,
        message: spec.message,
      };
      if (spec.image !== undefined) info.image = spec.image;
      if (spec.attributes !== undefined) info.attributes = spec.attributes;
      if (spec.extra !== undefined) Object.assign(info, spec.extra);
      multi.push(info);
      Object.assign(detail, info);
    }
    detail.multi_challenge = multi;
    detail.messages = messages;
    detail.transaction_ids = multi.map((c) => c.transaction_id);
    if (messages.length > 0) detail.message = [...new Set(messages)].join(', ');
    if (multi.length > 0) {
      const modes = new Set(multi.map((c) => c.client_mode));
      detail.preferred_client_mode =
        PREFERRED_CLIENT_MODES.find((m) => modes.has(m)) ?? 'interactive';
    }
    return detail;
  }
}
