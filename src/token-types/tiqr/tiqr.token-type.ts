import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Challenge } from '../../challenge/entities/challenge.entity';
import { ParameterError, PiError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { generateQuestion } from '../../crypto/ocra/ocra-challenge';
import { OcraSuite } from '../../crypto/ocra/ocra-suite';
import { decodeOtpKey, OtpKeyError } from '../../crypto/otp-key';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenSecrets } from '../../token-data/token-secrets';
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
import { TIQR_SESSION, TiqrEnrollment } from './tiqr-enrollment';
import { TiqrLogin } from './tiqr-login';
import { tiqrResponseMatches } from './tiqr-response';
import { tiqrUrls } from './tiqr-settings';
import { authenticationUri, enrollmentUri, tiqrIdentity } from './tiqr-urls';

export const TIQR_CHALLENGE_MESSAGE = 'Please scan the QR Code';

/**
 * TiQR (tiqr.md): OCRA-based and answered out of band. /token/init creates the token waiting for
 * the app (`clientwait`) with a one-time session; the app fetches the metadata, registers its own
 * key and answers login QR codes at /ttype/tiqr; the relying party polls and finalizes.
 */
@TokenType({
  type: 'tiqr',
  prefix: 'TiQR',
  description: 'TiQR: OCRA-based QR login with the TiQR app',
})
@Injectable()
export class TiqrTokenType extends BaseTokenType {
  override readonly clientMode = 'poll' as const;
  override readonly challengeMode = 'always' as const;
  override readonly outOfBand = true;
  readonly ownerBound = true;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly secrets: TokenSecrets,
    private readonly enrollment: TiqrEnrollment,
    private readonly logins: TiqrLogin,
  ) {
    super();
  }

  private suiteOf(token: TokenRecord): OcraSuite {
    return OcraSuite.parse(token.infoValue('ocrasuite') ?? this.config.tiqr.ocraSuite);
  }

  async init(ctx: InitContext): Promise<Record<string, unknown>> {
    const { params, draft } = ctx;
    // The app's identity is the owner's: no QR code without one (tiqr.md §2.1).
    if (!draft.owner) throw new ParameterError("Missing parameter: 'user'");
    // The suite is the service's, whatever the request says (tiqr.md §2.1).
    const suite = OcraSuite.parse(this.config.tiqr.ocraSuite);
    draft.row.otplen = suite.digits;
    draft.row.count = 0;
    draft.row.failcount = 0;
    draft.info.set('ocrasuite', { value: suite.suite });
    draft.info.set('tokenkind', { value: 'software' });
    const otpkey = params.optional('otpkey', { identifier: true });
    if (otpkey !== undefined) {
      // A known key (migration, tests): usable at once, nothing for an app to fetch.
      try {
        draft.otpKeyHex = decodeOtpKey(otpkey, params.optional('otpkeyformat')).toString('hex');
      } catch (e) {
        if (e instanceof OtpKeyError) throw new ParameterError(e.message);
        throw e;
      }
      draft.row.rolloutState = 'enrolled';
      return {};
    }
    // Re-enrolling forgets the previous phone's key: only the new app may answer.
    draft.row.keyEnc = null;
    draft.row.rolloutState = 'clientwait';
    const session = randomBytes(20).toString('hex');
    draft.info.set(TIQR_SESSION, { value: session, type: 'password' });
    const { regServer } = tiqrUrls(this.config.tiqr, ctx.baseUrl);
    const value = enrollmentUri(regServer, session, draft.row.serial);
    return {
      tiqrenroll: { description: 'URL for TiQR enrollment', value, img: await qrDataUri(value) },
    };
  }

  override async createChallenge(ctx: ChallengeContext): Promise<ChallengeSpec> {
    const { token } = ctx;
    // Always the server's random question: the app signs whatever it is shown.
    const question = generateQuestion(this.suiteOf(token));
    const login = token.row.userLogin;
    const value = authenticationUri({
      identity: login ? tiqrIdentity(login, token.row.userRealm ?? '') : token.serial,
      serviceIdentifier: this.config.tiqr.serviceIdentifier,
      transactionId: ctx.transactionId,
      question,
      displayName: this.config.tiqr.serviceDisplayname,
    });
    const img = await qrDataUri(value);
    return {
      message: TIQR_CHALLENGE_MESSAGE,
      challenge: question,
      image: img,
      attributes: { img, value, poll: true, hideResponseInput: true },
    };
  }

  /**
   * The finalizing /validate/check: an answer the app confirmed (any pass, as privacyIDEA), or the
   * response the app shows in offline mode typed in as `pass`.
   */
  override checkChallengeResponse(
    token: TokenRecord,
    pass: string,
    row: Challenge,
  ): ChallengeCheck {
    if (row.otpValid) return { matched: true };
    if (pass === '') return { matched: false };
    let key: Buffer;
    try {
      key = this.secrets.otpKey(token.row);
    } catch (e) {
      if (e instanceof PiError) return { matched: false };
      throw e;
    }
    return tiqrResponseMatches(this.suiteOf(token), key, pass, row.challenge)
      ? { matched: true }
      : { matched: false };
  }

  /** /ttype/tiqr: `action` metadata | enrollment | authentication (the default). */
  ttype(req: TtypeRequest): Promise<TtypeReply> {
    const action = req.params.optional('action', { maxLength: 32 }) ?? 'authentication';
    switch (action) {
      case 'metadata':
        return this.enrollment.metadata(req);
      case 'enrollment':
        return this.enrollment.register(req);
      case 'authentication':
        return this.logins.login(req);
      default:
        throw new ParameterError(`Unknown action for tiqr: ${action.slice(0, 32)}`);
    }
  }
}
