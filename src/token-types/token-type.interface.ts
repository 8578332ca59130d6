import type { ParamReader } from '../common/params/param-reader';
import type { Challenge } from '../challenge/entities/challenge.entity';
import type { Token } from '../token-data/entities/token.entity';
import type { OtpMatch } from '../token-data/otp-match';
import type { TokenRecord } from '../token-data/token-record';

export type { OtpMatch };

export interface OwnerRef {
  login: string;
  realm: string;
}

/** Mutable draft of a token being created or re-initialised by /token/init. */
export interface InitDraft {
  row: Token;
  /** Tokeninfo to write (value, optional type "password"). */
  info: Map<string, { value: string; type?: string }>;
  /** Plain key (hex) to encrypt and store; undefined leaves the stored key as is. */
  otpKeyHex?: string;
  isNew: boolean;
  owner?: OwnerRef;
}

export interface InitContext {
  params: ParamReader;
  draft: InitDraft;
  /** Base URL apps reach this service at (PUBLIC_BASE_URL or the request origin). */
  baseUrl: string;
}

/** What one token contributes to a triggered challenge (challenge.md §3). */
export interface ChallengeSpec {
  message: string;
  /** Stored question / nonce. */
  challenge: string;
  data?: string;
  attributes?: Record<string, unknown>;
  image?: string;
  clientMode?: string;
  /** Further fields of the relying party's multi_challenge entry (push `presence_answer`). */
  extra?: Record<string, unknown>;
}

export interface ChallengeContext {
  token: TokenRecord;
  transactionId: string;
  options: ParamReader;
  baseUrl: string;
  /**
   * The caller is authenticated (admin /validate/triggerchallenge). Unauthenticated callers must
   * not fully choose what the token answers (an observed answer could be replayed).
   */
  trusted: boolean;
  /**
   * Shared by all tokens triggered in one request (e.g. one set of push presence options for
   * every push token of the user).
   */
  shared: Map<string, unknown>;
  /** The request waits for the answer itself (push_wait): nothing is shown to choose from. */
  waiting?: boolean;
}

/** Result of checking one stored challenge row. */
export type ChallengeCheck = { matched: false } | { matched: true; otp?: OtpMatch };

export interface TtypeRequest {
  params: ParamReader;
  method: string;
  baseUrl: string;
}

export type TtypeReply =
  | { kind: 'json'; body: unknown; status?: number }
  /** privacyIDEA's success envelope (id 1) around `value` and `detail`. */
  | { kind: 'envelope'; value: unknown; detail?: Record<string, unknown> }
  | { kind: 'text'; body: string; status?: number };

/**
 * Behaviour of one token type, mirroring privacyIDEA's TokenClass. Handlers decide; the token
 * store persists (conditionally), so replay protection lives in one place.
 */
export interface TokenTypeHandler {
  /** client_mode of its challenges. */
  readonly clientMode: 'interactive' | 'poll';
  /** 'policy': challenge-response only if CHALLENGE_RESPONSE_TYPES lists it; 'always': OCRA etc. */
  readonly challengeMode: 'policy' | 'always';
  /** Answered out of band (TiQR, Push): no fail counter for unanswered finalization. */
  readonly outOfBand: boolean;
  /**
   * The device's enrollment is bound to the owner (TiQR: the app identity is `<login>_<realm>`):
   * when the owner goes, the device key goes too and the token waits for a new enrollment.
   */
  readonly ownerBound?: boolean;

  init(ctx: InitContext): Promise<Record<string, unknown>>;
  /** Verifies an OTP without side effects. */
  checkOtp(token: TokenRecord, otp: string): OtpMatch | null;
  isPreviousOtp(token: TokenRecord, otp: string): boolean;
  resync(token: TokenRecord, otp1: string, otp2: string): OtpMatch | null;
  createChallenge(ctx: ChallengeContext): Promise<ChallengeSpec>;
  /**
   * Called once the challenge row exists (never for a refused one): delivers it to the device
   * (Push through Firebase) so an answer can never arrive before its row. May return the spec
   * to show instead (e.g. a message with a polling hint after a failed delivery).
   */
  challengeCreated?(
    ctx: ChallengeContext,
    spec: ChallengeSpec,
    row: Challenge,
  ): Promise<ChallengeSpec>;
  /** Checks `pass` against one valid stored challenge of this token. */
  checkChallengeResponse(token: TokenRecord, pass: string, challenge: Challenge): ChallengeCheck;
  /** /ttype/<type> endpoint for apps; absent = not supported. */
  ttype?(req: TtypeRequest): Promise<TtypeReply>;
}
