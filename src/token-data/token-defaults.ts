import type { TokenDefaults } from '../config/app-config';
import type { Token } from './entities/token.entity';

/** Column values of a token that has just been created, before type-specific settings. */
export function newTokenColumns(
  type: string,
  defaults: TokenDefaults,
): Omit<Token, 'id' | 'serial' | 'info' | 'realms'> {
  return {
    tokentype: type,
    description: '',
    keyEnc: null,
    otplen: defaults.otplen,
    count: 0,
    countWindow: defaults.countWindow,
    syncWindow: defaults.syncWindow,
    maxfail: defaults.maxFail,
    failcount: 0,
    active: true,
    revoked: false,
    locked: false,
    rolloutState: '',
    pinHash: '',
    userPinEnc: null,
    soPinEnc: null,
    userLogin: null,
    userRealm: null,
    countAuth: 0,
    countAuthSuccess: 0,
  };
}
