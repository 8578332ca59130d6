import { Inject, Injectable } from '@nestjs/common';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  JWTPayload,
  jwtVerify,
} from 'jose';
import { AuthError, ErrorCode } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, KEY_MATERIAL } from '../config/config.module';
import type { KeyMaterial } from '../config/key-material';
import type { Principal } from './principal';

const MISSING = 'Authentication failure. Missing Authorization header.';
const DECODING = 'Authentication failure. Error decoding the Authorization token: ';
const EXPIRED = 'Authentication failure. Your token has expired: ';

/** Pulls the JWT out of PI-Authorization / Authorization (bare or "Bearer <jwt>"). */
export function extractToken(headers: Record<string, string | string[] | undefined>): string {
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim();
  const value = pick(headers['pi-authorization']) || pick(headers['authorization']);
  if (!value || /^bearer$/i.test(value)) throw new AuthError(ErrorCode.AUTH_HEADER, MISSING);
  const bearer = /^bearer\s+(.+)$/i.exec(value);
  const token = bearer ? bearer[1].trim() : value;
  if (!token) throw new AuthError(ErrorCode.AUTH_HEADER, MISSING);
  return token;
}

/**
 * Verifies management JWTs: HS256 with AUTH_JWT_SECRET and/or RS256/ES256 against the SSO
 * gateway's JWKS. An algorithm whose key source is not configured is refused, as is alg "none".
 */
@Injectable()
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KEY_MATERIAL) keys: KeyMaterial,
  ) {
    this.secret = keys.jwtSecret ? new Uint8Array(keys.jwtSecret) : undefined;
    if (config.auth.jwksUrl) {
      this.jwks = createRemoteJWKSet(new URL(config.auth.jwksUrl), {
        cooldownDuration: 60_000,
        cacheMaxAge: 10 * 60_000,
      });
    }
  }

  async verify(token: string): Promise<Principal> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw this.decoding('not a JWT');
    }
    const { issuer, audience, maxAgeSeconds } = this.config.auth;
    const options = {
      issuer,
      audience,
      clockTolerance: 60,
      requiredClaims: ['exp'],
      // AUTH_JWT_MAX_AGE: a token is also too old this long after `iat` (then required).
      ...(maxAgeSeconds > 0 && { maxTokenAge: maxAgeSeconds }),
    };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] }));
      } else if ((alg === 'RS256' || alg === 'ES256') && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, {
          ...options,
          algorithms: ['RS256', 'ES256'],
        }));
      } else {
        throw this.decoding(`algorithm ${String(alg)} not allowed`);
      }
    } catch (e) {
      if (e instanceof AuthError) throw e;
      if (e instanceof joseErrors.JWTExpired) {
        const why = e.claim === 'iat' ? 'issued too long ago' : 'the exp claim is in the past';
        throw new AuthError(ErrorCode.AUTH_EXPIRED, EXPIRED + why);
      }
      throw this.decoding(shortReason(e));
    }
    return this.principal(payload);
  }

  private principal(payload: JWTPayload): Principal {
    const { role, username, realm } = payload as Record<string, unknown>;
    if (role !== 'admin' && role !== 'user') throw this.decoding('unknown role');
    if (typeof username !== 'string' || username.length === 0 || username.length > 256) {
      throw this.decoding('missing username');
    }
    if (
      realm !== undefined &&
      (typeof realm !== 'string' || !/^[A-Za-z0-9_.-]{1,256}$/.test(realm))
    ) {
      throw this.decoding('invalid realm');
    }
    return {
      role,
      username,
      realm: (realm ?? this.config.users.defaultRealm).toLowerCase(),
    };
  }

  private decoding(reason: string): AuthError {
    return new AuthError(ErrorCode.AUTH_DECODING, DECODING + reason);
  }
}

/** A reason safe to return: the error class's code, never the token, key or a stack. */
function shortReason(e: unknown): string {
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `claim ${e.claim} is invalid`;
  if (e instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'signature verification failed';
  if (e instanceof joseErrors.JOSEError) return e.code;
  return 'invalid token';
}
