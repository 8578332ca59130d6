import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Challenge } from '../../challenge/entities/challenge.entity';
import { ErrorCode, ParameterError } from '../../common/errors';
import { HASH_SIZE } from '../../crypto/hash-algorithm';
import { createOcraChallenge, OCRA_CHALLENGE_MESSAGE } from '../../crypto/ocra/ocra-challenge';
import { OcraInputError, verifyOcra } from '../../crypto/ocra/ocra';
import { OcraSuite, OcraSuiteError } from '../../crypto/ocra/ocra-suite';
import { decodeOtpKey, OtpKeyError } from '../../crypto/otp-key';
import { TokenSecrets } from '../../token-data/token-secrets';
import { BaseTokenType } from '../base-token-type';
import { qrDataUri } from '../oath/oath-token-type';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenType } from '../token-type.decorator';
import type {
  ChallengeCheck,
  ChallengeContext,
  ChallengeSpec,
  InitContext,
} from '../token-type.interface';

export const DEFAULT_OCRA_SUITE = 'OCRA-1:HOTP-SHA1-8:QH40';

/** Server-chosen characters appended to a question given on unauthenticated /validate/check. */
export const UNTRUSTED_CHALLENGE_RANDOM = 8;

/** Parses a suite for a token; anything invalid is ParameterError 905 "Invalid OCRA suite: …". */
export function tokenOcraSuite(text: string): OcraSuite {
  let suite: OcraSuite;
  try {
    suite = OcraSuite.parse(text);
  } catch (e) {
    if (e instanceof OcraSuiteError) throw new ParameterError(`Invalid OCRA suite: ${e.message}`);
    throw e;
  }
  // Only the question (and the server's clock) is known at verification time (ocra.md §4).
  if (suite.counter || suite.pinHash || suite.sessionLength !== undefined) {
    throw new ParameterError(
      'Invalid OCRA suite: counter (C), PIN (P) and session (S) inputs are not supported for OCRA tokens',
    );
  }
  return suite;
}

/**
 * RFC 6287 challenge-response token. Always challenge-response: the PIN triggers a question, the
 * answer comes with the transaction id. Time-based suites (T) store the last used time step in
 * `count`, so an answer for the same step cannot be replayed.
 */
@TokenType({ type: 'ocra', prefix: 'OCRA', description: 'OCRA: RFC 6287 challenge-response token' })
@Injectable()
export class OcraTokenType extends BaseTokenType {
  override readonly challengeMode = 'always' as const;

  constructor(private readonly secrets: TokenSecrets) {
    super();
  }

  /** Seconds since the epoch; a method so tests can move time. */
  now(): number {
    return Date.now() / 1000;
  }

  protected suiteOf(token: TokenRecord): OcraSuite {
    return OcraSuite.parse(token.infoValue('ocrasuite') ?? DEFAULT_OCRA_SUITE);
  }

  async init(ctx: InitContext): Promise<Record<string, unknown>> {
    const { params, draft } = ctx;
    const suite = tokenOcraSuite(
      params.optional('ocrasuite', { maxLength: 64 }) ?? DEFAULT_OCRA_SUITE,
    );
    const otpkey = params.optional('otpkey', { identifier: true });
    if (otpkey !== undefined && params.bool('genkey')) {
      throw new ParameterError(
        '[ParameterError] You may either specify genkey or otpkey, but not both!',
        ErrorCode.GENKEY_AND_OTPKEY,
      );
    }
    let key: Buffer;
    try {
      key =
        otpkey !== undefined
          ? decodeOtpKey(otpkey, params.optional('otpkeyformat'))
          : randomBytes(params.int('keysize', { min: 10, max: 128 }) ?? HASH_SIZE[suite.hash]);
    } catch (e) {
      if (e instanceof OtpKeyError) throw new ParameterError(e.message);
      throw e;
    }
    draft.row.otplen = suite.digits;
    draft.row.count = 0;
    draft.row.failcount = 0;
    draft.otpKeyHex = key.toString('hex');
    draft.info.set('ocrasuite', { value: suite.suite });
    draft.info.set('tokenkind', { value: 'software' });
    const seed = `seed://${key.toString('hex')}`;
    return { otpkey: { description: 'OTP seed', value: seed, img: await qrDataUri(seed) } };
  }

  override async createChallenge(ctx: ChallengeContext): Promise<ChallengeSpec> {
    const suite = this.suiteOf(ctx.token);
    const opts = ctx.options;
    let created;
    try {
      created = createOcraChallenge(suite, {
        challenge: opts.optional('challenge', { maxLength: 1024 }),
        addRandomChallenge: opts.optional('addrandomchallenge', { maxLength: 8 }),
        hashChallenge: opts.optional('hashchallenge', { maxLength: 16 }),
        // An unauthenticated caller's fixed question would make one observed answer replayable.
        minRandom: ctx.trusted ? 0 : UNTRUSTED_CHALLENGE_RANDOM,
      });
    } catch (e) {
      if (e instanceof OcraInputError) throw new ParameterError(`Invalid challenge: ${e.message}`);
      throw e;
    }
    const attributes: Record<string, unknown> = { challenge: created.challenge };
    if (created.originalChallenge !== undefined) {
      attributes.original_challenge = created.originalChallenge;
      attributes.qrcode = await qrDataUri(created.originalChallenge);
    }
    return { message: OCRA_CHALLENGE_MESSAGE, challenge: created.challenge, attributes };
  }

  override checkChallengeResponse(
    token: TokenRecord,
    pass: string,
    row: Challenge,
  ): ChallengeCheck {
    let result;
    try {
      result = verifyOcra(
        this.suiteOf(token),
        this.secrets.otpKey(token.row),
        pass,
        { question: row.challenge },
        { time: 1, now: this.now() },
      );
    } catch (e) {
      // A stored question the suite cannot use is a failed answer, not a server error.
      if (e instanceof OcraInputError || e instanceof OcraSuiteError) return { matched: false };
      throw e;
    }
    if (!result.ok) return { matched: false };
    if (result.timestamp === undefined) return { matched: true };
    // A T suite answer must be for a later step than the last accepted one.
    if (token.row.count !== 0 && result.timestamp <= token.row.count) return { matched: false };
    return { matched: true, otp: { counter: result.timestamp, newCount: result.timestamp } };
  }
}
