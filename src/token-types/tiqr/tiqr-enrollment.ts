import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { ParameterError, ResourceNotFoundError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenSecrets } from '../../token-data/token-secrets';
import { TokenStore } from '../../token-data/token.store';
import type { TtypeReply, TtypeRequest } from '../token-type.interface';
import { TiqrReply } from './tiqr-replies';
import { tiqrUrls } from './tiqr-settings';
import { enrollmentUrl, metadataDocument, tiqrIdentity } from './tiqr-urls';

/** Tokeninfo key of the one-time enrollment session (tiqr.md §2.1). */
export const TIQR_SESSION = 'session';
export const TIQR_TYPE = 'tiqr';

const SESSION_PATTERN = /^[0-9a-f]{40}$/;
/** The app's key: hex, whole bytes; 128 bytes is far beyond any HMAC block that helps. */
const SECRET_PATTERN = /^(?:[0-9a-fA-F]{2})+$/;
const MAX_SECRET_HEX = 256;

const CONTROL = /[\u0000-\u001f]/;

function sameSession(stored: string | undefined, given: string): boolean {
  if (stored === undefined || stored.length !== given.length) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(given));
}

/**
 * The app's side of enrollment: the metadata document, then the key registration. A session is
 * verified at both steps and consumed by the registration, so a QR code enrolls one phone once.
 */
@Injectable()
export class TiqrEnrollment {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TokenStore,
    private readonly secrets: TokenSecrets,
  ) {}

  /** GET|POST /ttype/tiqr?action=metadata: bare JSON, or 404 for anything not awaiting this app. */
  async metadata(req: TtypeRequest): Promise<TtypeReply> {
    const { token, session } = await this.waitingToken(req);
    if (!sameSession(token.infoValue(TIQR_SESSION), session)) throw new ResourceNotFoundError();
    const tiqr = this.config.tiqr;
    const urls = tiqrUrls(tiqr, req.baseUrl);
    const login = token.row.userLogin!;
    const identity = tiqrIdentity(login, token.row.userRealm ?? '');
    const body = metadataDocument(
      {
        displayName: tiqr.serviceDisplayname,
        identifier: tiqr.serviceIdentifier,
        logoUrl: urls.logoUrl,
        infoUrl: urls.infoUrl,
        authenticationUrl: urls.authServer,
        ocraSuite: token.infoValue('ocrasuite') ?? tiqr.ocraSuite,
        enrollmentUrl: enrollmentUrl(urls.regServer, session, token.serial),
      },
      identity,
      login,
    );
    return { kind: 'json', body };
  }

  /** POST <enrollmentUrl> operation=register: stores the app's key; replies `OK`. */
  async register(req: TtypeRequest): Promise<TtypeReply> {
    // The phone's key travels in the body only, never in a URL that proxies log.
    if (req.method !== 'POST') throw new ParameterError('The enrollment must be a POST request');
    const { params } = req;
    const operation = params.required('operation', { maxLength: 32 });
    if (operation !== 'register') throw new ParameterError('Invalid operation for enrollment');
    const secret = params.required('secret', { maxLength: MAX_SECRET_HEX });
    if (!SECRET_PATTERN.test(secret)) {
      throw new ParameterError('Invalid parameter secret: whole bytes in hex are expected');
    }
    // All three are replaced, so nothing of a previous phone (its push address) survives; an
    // unusable value is left out rather than failing the enrollment.
    const info: Record<string, string> = {};
    const valueMax = this.config.limits.tokenInfoValueMaxLength;
    for (const [param, max] of [
      ['language', 16],
      ['notificationType', 32],
      ['notificationAddress', valueMax],
    ] as const) {
      const value = params.get(param);
      const usable = typeof value === 'string' && value.length <= max && !CONTROL.test(value);
      info[`tiqr.${param}`] = usable ? value : '';
    }
    const { token, session } = await this.waitingToken(
      req,
      () => new ParameterError('Invalid Session'),
    );
    // Refuses a too short key (MIN_OTPKEY_BYTES) before the session is spent.
    const keyEnc = this.secrets.sealKey(token.serial, Buffer.from(secret, 'hex'));
    const done = await this.store.completeDeviceEnrollment(
      token.id,
      { key: TIQR_SESSION, value: session },
      { keyEnc },
      info,
    );
    if (!done) throw new ParameterError('Invalid Session');
    return { kind: 'text', body: TiqrReply.OK };
  }

  /**
   * The TiQR token named by `serial` and the `session` given. Unknown serials and other types are
   * 404; a token not waiting for its app (enrolled, or without owner) raises `notWaiting`.
   */
  private async waitingToken(
    req: TtypeRequest,
    notWaiting: () => Error = () => new ResourceNotFoundError(),
  ): Promise<{ token: TokenRecord; session: string }> {
    const serial = req.params.required('serial', { maxLength: 40, identifier: true });
    const session = req.params.required('session', { maxLength: 64, identifier: true });
    const token = await this.store.findBySerial(serial);
    if (!token || token.type !== TIQR_TYPE) throw new ResourceNotFoundError();
    if (
      token.row.rolloutState !== 'clientwait' ||
      !token.row.userLogin ||
      !SESSION_PATTERN.test(session)
    ) {
      throw notWaiting();
    }
    return { token, session };
  }
}
