import { isTrue } from '../../common/params/param-reader';
import type { PushConfig } from '../../config/app-config';
import type { TokenRecord } from '../../token-data/token-record';

/** Tokeninfo keys of a push token (push.md §1). */
export const PushInfo = {
  CREDENTIAL: 'enrollment_credential',
  /** When stage 2 must have happened by (PUSH_TTL, enforced). */
  CREDENTIAL_EXPIRES: 'enrollment_credential_expires',
  FIREBASE_CONFIG: 'push_firebase_configuration',
  PHONE_KEY: 'public_key_smartphone',
  FIREBASE_TOKEN: 'firebase_token',
  SERVER_PUBLIC_KEY: 'public_key_server',
  SERVER_PRIVATE_KEY: 'private_key_server',
  POLLING_ALLOWED: 'polling_allowed',
  /** Latest poll / token-update time stamp accepted (ms, zero-padded): replays are refused. */
  LAST_POLL: 'push_last_poll',
  LAST_UPDATE: 'push_last_update',
} as const;

export const POLL_ONLY = 'poll only';
export const NO_FIREBASE_TOKEN = 'no_firebase_token';
/** SecretBox purpose of the server's private key (bound to the serial as every secret). */
export const SERVER_KEY_PURPOSE = 'push_private_key';

export const POLLING_HINT =
  ' Use the polling feature of your privacyIDEA Authenticator App to check for a new Login request.';

/** `/ttype/push` URL apps talk to: configured, else derived from the app-facing base URL. */
export function registrationUrl(config: PushConfig, baseUrl: string): string {
  return config.registrationUrl ?? `${baseUrl}/ttype/push`;
}

/** push_allow_polling: allow, deny, or per token (tokeninfo polling_allowed, default true). */
export function pollingAllowed(config: PushConfig, token: TokenRecord): boolean {
  if (config.allowPolling === 'allow') return true;
  if (config.allowPolling === 'deny') return false;
  return isTrue(token.infoValue(PushInfo.POLLING_ALLOWED) ?? 'True');
}
