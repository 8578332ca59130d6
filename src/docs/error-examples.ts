/** The error envelope (spec README "Error envelope") and examples of the errors every route has. */

export const ERROR_SCHEMA = {
  type: 'object',
  description: 'privacyIDEA error envelope: `result.status` false, `result.error` code and message',
  required: ['jsonrpc', 'result', 'id', 'time', 'detail'],
  properties: {
    jsonrpc: { type: 'string', example: '2.0' },
    id: { type: 'integer', example: 1 },
    version: { type: 'string', example: 'privacyIDEA 3.13' },
    time: { type: 'number', example: 1763870000.123 },
    detail: {
      type: 'object',
      nullable: true,
      description: 'null unless the error carries details (e.g. the bad records of an import)',
    },
    result: {
      type: 'object',
      required: ['status', 'error'],
      properties: {
        status: { type: 'boolean', enum: [false] },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: {
              type: 'integer',
              description:
                '905 parameter, 10 generic, 301 token administration, 304 import, 344 genkey ' +
                'and otpkey, 601 unknown token (HTTP 404), 1007 token locked, 1103 already ' +
                'assigned, 1610 unknown token type, 303 policy (HTTP 403), 4033 missing ' +
                'credential, 4304 invalid JWT, 4305 expired JWT, 4306 missing role (HTTP 401)',
            },
            message: {
              type: 'string',
              description: '`ERR<code>: …` for HTTP 400; the bare text for 401, 403 and 404',
            },
          },
        },
      },
    },
  },
};

/** An error envelope as the examples show it (fixed time stamp). */
export const exampleErrorEnvelope = (code: number, message: string) => ({
  jsonrpc: '2.0',
  detail: null,
  result: { status: false, error: { code, message } },
  version: 'privacyIDEA 3.13',
  id: 1,
  time: 1763870000.123,
});

const content = (examples: Record<string, [string, number, string]>) => ({
  'application/json': {
    schema: { $ref: '#/components/schemas/ErrorEnvelope' },
    examples: Object.fromEntries(
      Object.entries(examples).map(([name, [summary, code, message]]) => [
        name,
        { summary, value: exampleErrorEnvelope(code, message) },
      ]),
    ),
  },
});

export const ERROR_RESPONSES = {
  badRequest: {
    description: 'Invalid request: error envelope, HTTP 400 (code 905 for parameters)',
    content: content({
      missingParameter: ['Missing parameter', 905, 'ERR905: Missing parameter: serial'],
      invalidParameter: [
        'Invalid parameter',
        905,
        'ERR905: Invalid parameter user: control characters are not allowed',
      ],
      tokenAdmin: [
        'Refused by the token engine',
        1610,
        'ERR1610: init token failed. Unknown token type: hotpp',
      ],
    }),
  },
  unauthorized: {
    description: 'No, invalid or expired JWT, or a role without the right: HTTP 401',
    content: content({
      missingCredential: [
        'No JWT (click Authorize)',
        4033,
        'Authentication failure. Missing Authorization header.',
      ],
      invalidJwt: [
        'JWT not accepted',
        4304,
        'Authentication failure. Error decoding the Authorization token: signature verification failed',
      ],
      expiredJwt: [
        'JWT expired',
        4305,
        'Authentication failure. Your token has expired: "exp" claim timestamp check failed',
      ],
      missingRole: [
        'A user JWT on an admin endpoint',
        4306,
        'Authentication failure. You do not have the necessary role (admin) to access this resource!',
      ],
    }),
  },
  notFound: {
    description: 'No such token (or not one of the caller’s own): HTTP 404',
    content: content({
      unknownToken: ['Unknown serial', 601, 'The requested token could not be found.'],
    }),
  },
};
