import {
  OptionalField,
  OptionalListField,
  RequiredField,
  RequiredListField,
} from '../../common/params/param-fields';
import { PiDto } from '../../common/params/pi-params.decorator';

const SERIAL = {
  description: 'Token serial',
  maxLength: 40,
  identifier: true,
  example: 'OATH0001A2B3',
};
const USER = {
  description: 'Owner login (login@realm and realm\\login accepted)',
  maxLength: 256,
  identifier: true,
};
const REALM = { description: 'Realm of the user', maxLength: 256, identifier: true };

/** Endpoints addressing tokens by serial or by owner (enable, disable, revoke, reset, unassign). */
export class TokenSelectorDto extends PiDto {
  @OptionalField(SERIAL)
  serial?: string;

  @OptionalField(USER)
  user?: string;

  @OptionalField(REALM)
  realm?: string;
}

/** Endpoints that need exactly one token. */
export class SerialDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;
}

export class InitTokenDto extends PiDto {
  @OptionalField({
    description: 'Token type (default hotp)',
    maxLength: 30,
    identifier: true,
    enum: ['hotp', 'totp', 'ocra', 'tiqr', 'push'],
  })
  type?: string;

  @OptionalField({ ...SERIAL, description: 'Serial; generated from the type prefix when absent' })
  serial?: string;

  @OptionalField({ description: 'Prefix of a generated serial', maxLength: 20, identifier: true })
  prefix?: string;

  @OptionalField({
    description: 'Description (truncated to 80 characters)',
    maxLength: 4096,
    allowEmpty: true,
  })
  description?: string;

  @OptionalField({
    description: 'Token PIN (stored as an argon2id hash)',
    maxLength: 1024,
    allowEmpty: true,
  })
  pin?: string;

  @OptionalField(USER)
  user?: string;

  @OptionalField(REALM)
  realm?: string;

  @OptionalListField({ description: 'Additional realms: comma separated or a JSON list' })
  tokenrealm?: string | string[];

  @OptionalField({
    description: 'Key as hex (or base32check with otpkeyformat)',
    maxLength: 1024,
    identifier: true,
  })
  otpkey?: string;

  @OptionalField({
    description: 'hex (default) or base32check',
    maxLength: 20,
    enum: ['hex', 'base32check'],
  })
  otpkeyformat?: string;

  @OptionalField({ description: '1: generate the key on the server', maxLength: 8 })
  genkey?: string;

  @OptionalField({ description: 'Size of a generated key in bytes', maxLength: 4 })
  keysize?: string;

  @OptionalField({ description: 'OTP length: 6 or 8', maxLength: 2 })
  otplen?: string;

  @OptionalField({ description: 'sha1, sha256 or sha512', maxLength: 20 })
  hashlib?: string;

  @OptionalField({ description: 'TOTP time step: 30 or 60 seconds', maxLength: 4 })
  timeStep?: string;

  @OptionalField({
    description: 'TOTP window in seconds (default 180, at most 600; admin only)',
    maxLength: 6,
  })
  timeWindow?: string;

  @OptionalField({ description: 'HOTP look-ahead window (at most 1000; admin only)', maxLength: 6 })
  count_window?: string;

  @OptionalField({ description: 'Resync window (at most 10000; admin only)', maxLength: 6 })
  sync_window?: string;

  @OptionalField({ description: 'TOTP initial clock shift in seconds', maxLength: 12 })
  timeShift?: string;

  @OptionalField({ description: 'OCRA suite (OCRA only)', maxLength: 64 })
  ocrasuite?: string;

  @OptionalField({
    description: 'Start of the validity period (ISO 8601)',
    maxLength: 64,
    allowEmpty: true,
  })
  validity_period_start?: string;

  @OptionalField({
    description: 'End of the validity period (ISO 8601)',
    maxLength: 64,
    allowEmpty: true,
  })
  validity_period_end?: string;
}

export class AssignDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @RequiredField(USER)
  user!: string;

  @OptionalField(REALM)
  realm?: string;

  @OptionalField({ description: 'PIN to set', maxLength: 1024, allowEmpty: true })
  pin?: string;
}

export class ResyncDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @RequiredField({ description: 'First OTP', maxLength: 16 })
  otp1!: string;

  @RequiredField({ description: 'Next OTP', maxLength: 16 })
  otp2!: string;
}

export class SetPinDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @OptionalField({
    description: 'Token PIN used for authentication',
    maxLength: 1024,
    allowEmpty: true,
  })
  otppin?: string;

  @OptionalField({
    description: 'Legacy user PIN (stored encrypted, unused)',
    maxLength: 1024,
    allowEmpty: true,
  })
  userpin?: string;

  @OptionalField({
    description: 'Legacy SO PIN (stored encrypted, unused)',
    maxLength: 1024,
    allowEmpty: true,
  })
  sopin?: string;
}

export class DescriptionDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @RequiredField({
    description: 'New description (may be empty)',
    maxLength: 4096,
    allowEmpty: true,
  })
  description!: string;
}

export class SetTokenDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @OptionalField({ description: 'Description', maxLength: 4096, allowEmpty: true })
  description?: string;

  @OptionalField({ description: 'HOTP look-ahead window (0 to 1000)', maxLength: 6 })
  count_window?: string;

  @OptionalField({ description: 'Resync window (0 to 10000)', maxLength: 6 })
  sync_window?: string;

  @OptionalField({ description: 'Hash algorithm (tokeninfo hashlib)', maxLength: 20 })
  hashlib?: string;

  @OptionalField({ description: 'Maximum fail counter (0 to 2147483647)', maxLength: 15 })
  max_failcount?: string;

  @OptionalField({
    description: 'Maximum authentications (0 = unlimited, at most 2147483647)',
    maxLength: 15,
  })
  count_auth_max?: string;

  @OptionalField({
    description: 'Maximum successful authentications (0 = unlimited, at most 2147483647)',
    maxLength: 15,
  })
  count_auth_success_max?: string;

  @OptionalField({
    description: 'Start of the validity period; empty removes it',
    maxLength: 64,
    allowEmpty: true,
  })
  validity_period_start?: string;

  @OptionalField({
    description: 'End of the validity period; empty removes it',
    maxLength: 64,
    allowEmpty: true,
  })
  validity_period_end?: string;
}

export class TokenRealmsDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @RequiredListField({ description: 'Realms: comma separated or a JSON list' })
  realms!: string | string[];
}

export class TokenInfoDto extends PiDto {
  @RequiredField(SERIAL)
  serial!: string;

  @RequiredField({ description: 'Tokeninfo key', maxLength: 255, identifier: true })
  key!: string;

  @OptionalField({ description: 'Value to set', maxLength: 65535, allowEmpty: true })
  value?: string;
}

export class ListTokensDto extends PiDto {
  @OptionalField({
    description: 'Exact serial, wildcard with *, or comma-separated list',
    maxLength: 4096,
    identifier: true,
  })
  serial?: string;

  @OptionalField({ description: 'Token type', maxLength: 30, identifier: true })
  type?: string;

  @OptionalField({ description: 'Comma-separated token types', maxLength: 256 })
  type_list?: string;

  @OptionalField(USER)
  user?: string;

  @OptionalField(REALM)
  realm?: string;

  @OptionalField({ description: 'Tokens in this realm', maxLength: 256, identifier: true })
  tokenrealm?: string;

  @OptionalField({ description: 'Owner user id (the login)', maxLength: 256, identifier: true })
  userid?: string;

  @OptionalField({ description: 'Owner resolver (always empty in this service)', maxLength: 256 })
  resolver?: string;

  @OptionalField({ description: 'true/false: assigned to a user', maxLength: 8 })
  assigned?: string;

  @OptionalField({ description: 'true/false: active', maxLength: 8 })
  active?: string;

  @OptionalField({ description: 'Rollout state', maxLength: 10 })
  rollout_state?: string;

  @OptionalField({ description: 'Description, wildcard with *', maxLength: 256 })
  description?: string;

  @OptionalField({ description: 'Tokeninfo key to filter on', maxLength: 255 })
  infokey?: string;

  @OptionalField({ description: 'Tokeninfo value to filter on (wildcard with *)', maxLength: 1024 })
  infovalue?: string;

  @OptionalField({ description: 'Sort column (default serial)', maxLength: 30 })
  sortby?: string;

  @OptionalField({ description: 'asc or desc', maxLength: 4 })
  sortdir?: string;

  @OptionalField({ description: 'Page (1-based)', maxLength: 9 })
  page?: string;

  @OptionalField({ description: 'Page size (default 15, at most 1000)', maxLength: 9 })
  pagesize?: string;
}

export class ChallengeListDto extends PiDto {
  @OptionalField(SERIAL)
  serial?: string;

  @OptionalField({ description: 'Only this transaction', maxLength: 64, identifier: true })
  transaction_id?: string;

  @OptionalField({ description: 'Page (1-based)', maxLength: 9 })
  page?: string;

  @OptionalField({ description: 'Page size (default 15)', maxLength: 9 })
  pagesize?: string;

  @OptionalField({
    description: 'timestamp (default), expiration, serial, transaction_id',
    maxLength: 30,
  })
  sortby?: string;

  @OptionalField({ description: 'asc or desc', maxLength: 4 })
  sortdir?: string;
}
