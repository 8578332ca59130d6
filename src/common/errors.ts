/**
 * privacyIDEA-style errors. The numeric id goes to `result.error.code`; the HTTP status and the
 * message format ("ERR<id>: " prefix or not) follow privacyidea/api/before_after.py.
 */
export class PiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly httpStatus = 400,
    /** Generic errors carry "ERR<id>: "; auth, policy and not-found errors do not. */
    readonly prefixed = true,
    readonly detail: Record<string, unknown> | null = null,
  ) {
    super(description);
    this.name = new.target.name;
  }

  get wireMessage(): string {
    return this.prefixed ? `ERR${this.code}: ${this.description}` : this.description;
  }
}

export const ErrorCode = {
  GENERIC: 10,
  TOKENADMIN: 301,
  CONFIGADMIN: 302,
  POLICY: 303,
  IMPORTADMIN: 304,
  VALIDATE: 401,
  ENROLLMENT: 404,
  AUTHENTICATE: 403,
  AUTH_WRONG_CREDENTIALS: 4031,
  AUTH_HEADER: 4033,
  AUTH_DECODING: 4304,
  AUTH_EXPIRED: 4305,
  AUTH_MISSING_RIGHT: 4306,
  RESOURCE_NOT_FOUND: 601,
  DATABASE: 902,
  SERVER: 903,
  USER: 904,
  PARAMETER: 905,
  PARAMETER_USER_MISSING: 9051,
  TOKEN_LOCKED: 1007,
  TOKEN_ASSIGNED: 1103,
  UNKNOWN_TOKEN_TYPE: 1610,
  GENKEY_AND_OTPKEY: 344,
} as const;

export class ParameterError extends PiError {
  constructor(description: string, code: number = ErrorCode.PARAMETER) {
    super(code, description, 400);
  }
}

export class MissingParameterError extends ParameterError {
  constructor(key: string) {
    super(`Missing parameter: ${key}`);
  }
}

export class TokenAdminError extends PiError {
  constructor(description: string, code: number = ErrorCode.TOKENADMIN) {
    super(code, description, 400);
  }
}

export class TokenLockedError extends TokenAdminError {
  constructor() {
    super('This action is not possible, since the token is locked', ErrorCode.TOKEN_LOCKED);
  }
}

export class UserError extends PiError {
  constructor(description = 'The user can not be found in any resolver in this realm!') {
    super(ErrorCode.USER, description, 400);
  }
}

export class ValidateError extends PiError {
  constructor(description: string) {
    super(ErrorCode.VALIDATE, description, 400);
  }
}

export class ImportError extends PiError {
  constructor(description: string, detail: Record<string, unknown> | null = null) {
    super(ErrorCode.IMPORTADMIN, description, 400, true, detail);
  }
}

export class AuthError extends PiError {
  constructor(code: number, description: string) {
    super(code, description, 401, false);
  }
}

export class PolicyError extends PiError {
  constructor(description: string) {
    super(ErrorCode.POLICY, description, 403, false);
  }
}

export class ResourceNotFoundError extends PiError {
  constructor(description = 'The requested token could not be found.') {
    super(ErrorCode.RESOURCE_NOT_FOUND, description, 404, false);
  }
}

export class PayloadError extends PiError {
  constructor(description: string, httpStatus: number) {
    super(ErrorCode.PARAMETER, description, httpStatus);
  }
}

/** The service is saturated (e.g. the PIN hash queue is full): retry later; nothing was done. */
export class ServiceBusyError extends PiError {
  constructor(description = 'The service is busy, please retry later') {
    super(ErrorCode.SERVER, description, 503);
  }
}
