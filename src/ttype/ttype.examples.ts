import type { ApiQueryOptions, ContentObject, ExamplesObject, SchemaObject } from '@nestjs/swagger';

/** OpenAPI documentation of /ttype/<type> for the TiQR app (shapes from tiqr.md). */
const SESSION = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
const SERIAL = 'TiQR0001A2B3';
const BASE = 'https://mfa.example.org/ttype/tiqr';

const errorEnvelope = (code: number, message: string) => ({
  jsonrpc: '2.0',
  detail: null,
  result: { status: false, error: { code, message } },
  version: 'privacyIDEA 3.13',
  id: 1,
  time: 1763870000.123,
});

const examples = (entries: Record<string, { summary: string; value: unknown }>): ExamplesObject =>
  entries;

/**
 * Query parameters and form fields are all optional and carry no example values: which ones a
 * call needs depends on type and action, and prefilled TiQR values would leak into "Try it out"
 * for other types. Complete bodies are in TTYPE_FORM_EXAMPLES.
 */
export const TTYPE_QUERY: ApiQueryOptions[] = [
  {
    name: 'action',
    required: false,
    schema: { type: 'string' },
    description:
      'TiQR: `metadata` (GET or POST, the URL in the `tiqrenroll://` QR code), `enrollment` ' +
      '(POST, the `enrollmentUrl` from the metadata) or `authentication` (POST; the default ' +
      'when absent). Other types define their own or none.',
  },
  {
    name: 'session',
    required: false,
    schema: { type: 'string' },
    description:
      'TiQR `metadata` and `enrollment`: the one-time enrollment session (40 hex digits) from ' +
      '/token/init.',
  },
  {
    name: 'serial',
    required: false,
    schema: { type: 'string' },
    description:
      'TiQR `metadata` and `enrollment`: serial of the token being enrolled, e.g. `TiQR0001A2B3`.',
  },
];

/** Form fields the apps POST (application/x-www-form-urlencoded). */
export const TTYPE_FORM_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    secret: {
      type: 'string',
      description: 'TiQR `enrollment`: the OCRA key the app generated, hex.',
    },
    sessionKey: {
      type: 'string',
      description:
        'TiQR `authentication`: the transaction id from the `tiqrauth://` URL of the challenge.',
    },
    userId: {
      type: 'string',
      description:
        'TiQR `authentication`: the identity identifier from the metadata (`<login>_<realm>`).',
    },
    response: {
      type: 'string',
      description: 'TiQR `authentication`: OCRA response computed over the challenge question.',
    },
    operation: {
      type: 'string',
      description: 'TiQR: `register` for `enrollment`, `login` for `authentication`.',
    },
    language: { type: 'string', description: 'TiQR: app language, e.g. `en` (ignored).' },
    notificationAddress: {
      type: 'string',
      description:
        'TiQR `enrollment`: push address of the device, may be absent (stored, not used).',
    },
    notificationType: {
      type: 'string',
      description: 'TiQR: `GCM`, `FCM_DIRECT`, `APNS` or `APNS_DIRECT`; absent without an address.',
    },
  },
};

export const TTYPE_FORM_EXAMPLES = examples({
  tiqrEnrollment: {
    summary: `TiQR enrollment (query: action=enrollment&session=…&serial=${SERIAL})`,
    value: {
      secret: '3132333435363738393031323334353637383930',
      language: 'en',
      notificationAddress: 'dGVzdC1wdXNoLWFkZHJlc3M',
      notificationType: 'FCM_DIRECT',
      operation: 'register',
    },
  },
  tiqrAuthentication: {
    summary: 'TiQR authentication (no query string)',
    value: {
      sessionKey: '08282050332563531714',
      userId: 'alice_realm1',
      response: '086548',
      language: 'en',
      operation: 'login',
    },
  },
});

/** Bare JSON (no envelope) answering TiQR `action=metadata`; the app needs all nine strings. */
export const TIQR_METADATA_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'TiQR enrollment metadata (bare JSON, no envelope)',
  required: ['service', 'identity'],
  properties: {
    service: {
      type: 'object',
      required: [
        'displayName',
        'identifier',
        'logoUrl',
        'infoUrl',
        'authenticationUrl',
        'ocraSuite',
        'enrollmentUrl',
      ],
      properties: {
        displayName: { type: 'string', description: 'TIQR_SERVICE_DISPLAYNAME' },
        identifier: { type: 'string', description: 'TIQR_SERVICE_IDENTIFIER (a host name)' },
        logoUrl: { type: 'string', description: 'TIQR_LOGO_URL, default /static/logo.png' },
        infoUrl: { type: 'string' },
        authenticationUrl: { type: 'string', description: 'where the app POSTs its responses' },
        ocraSuite: { type: 'string' },
        enrollmentUrl: { type: 'string', description: 'where the app POSTs its secret' },
      },
    },
    identity: {
      type: 'object',
      required: ['identifier', 'displayName'],
      properties: {
        identifier: { type: 'string', description: '`<login>_<realm>`, echoed as `userId`' },
        displayName: { type: 'string' },
      },
    },
  },
};

const METADATA = {
  service: {
    displayName: 'privacyIDEA',
    identifier: 'org.privacyidea',
    logoUrl: 'https://mfa.example.org/static/logo.png',
    infoUrl: 'https://www.privacyidea.org',
    authenticationUrl: BASE,
    ocraSuite: 'OCRA-1:HOTP-SHA1-6:QN10',
    enrollmentUrl: `${BASE}?action=enrollment&session=${SESSION}&serial=${SERIAL}`,
  },
  identity: { identifier: 'alice_realm1', displayName: 'alice' },
};

/** Plain-text replies (TiQR "v1 format", tiqr.md §3.3), each with what the app makes of it. */
const TIQR_TEXT_EXAMPLES = examples({
  ok: { summary: 'enrollment stored / response correct: the login is confirmed', value: 'OK' },
  invalidResponse: {
    summary: 'wrong OCRA response; the number is the attempts left before the token is blocked',
    value: 'INVALID_RESPONSE:9',
  },
  invalidResponseBlocked: {
    summary: 'wrong OCRA response and no attempts left (the app shows "blocked")',
    value: 'INVALID_RESPONSE:0',
  },
  invalidChallenge: {
    summary: 'sessionKey unknown, expired or already answered',
    value: 'INVALID_CHALLENGE',
  },
  accountBlocked: {
    summary: 'token not usable (disabled, revoked, locked, out of attempts…); nothing was marked',
    value: 'ACCOUNT_BLOCKED',
  },
  invalidUserid: {
    summary: "userId is not the token owner's identity identifier",
    value: 'INVALID_USERID',
  },
  invalidRequest: { summary: 'operation is not `login`', value: 'INVALID_REQUEST' },
});

const METADATA_JSON = {
  schema: TIQR_METADATA_SCHEMA,
  examples: examples({ tiqrMetadata: { summary: 'TiQR action=metadata', value: METADATA } }),
};

/** GET: metadata only. */
export const TTYPE_GET_OK_CONTENT: ContentObject = { 'application/json': METADATA_JSON };

/** POST: the plain-text enrollment and login replies, or the metadata. */
export const TTYPE_POST_OK_CONTENT: ContentObject = {
  'text/plain': { schema: { type: 'string' }, examples: TIQR_TEXT_EXAMPLES },
  'application/json': METADATA_JSON,
};

export const TTYPE_BAD_REQUEST_CONTENT: ContentObject = {
  'application/json': {
    examples: examples({
      missingParameter: {
        summary: 'a required parameter is missing (any action)',
        value: errorEnvelope(905, 'ERR905: Missing parameter: session'),
      },
      invalidSession: {
        summary: 'TiQR enrollment: session wrong or already used, or the token is enrolled',
        value: errorEnvelope(905, 'ERR905: Invalid Session'),
      },
      invalidSecret: {
        summary: 'TiQR enrollment: secret is not whole bytes in hex',
        value: errorEnvelope(
          905,
          'ERR905: Invalid parameter secret: whole bytes in hex are expected',
        ),
      },
      invalidOperation: {
        summary: 'TiQR enrollment: operation is not `register`',
        value: errorEnvelope(905, 'ERR905: Invalid operation for enrollment'),
      },
      unknownAction: {
        summary: 'TiQR: action other than metadata, enrollment, authentication',
        value: errorEnvelope(905, 'ERR905: Unknown action for tiqr: foo'),
      },
      unknownType: {
        summary: 'no such token type',
        value: errorEnvelope(905, 'ERR905: Invalid tokentype provided. ttype: foo'),
      },
    }),
  },
};

export const TTYPE_NOT_FOUND_CONTENT: ContentObject = {
  'application/json': {
    examples: examples({
      unknownToken: {
        summary:
          'TiQR metadata/enrollment: no tiqr token with this serial; metadata also when the ' +
          'token is not waiting for its app or the session does not match (the app: invalid QR)',
        value: errorEnvelope(601, 'The requested token could not be found.'),
      },
    }),
  },
};

export const TTYPE_GET_DESCRIPTION = [
  'Called by smartphone apps, no credential. What a call does depends on the token type.',
  '',
  '**TiQR** (`/ttype/tiqr`): `action=metadata&session=…&serial=…` answers the enrollment ' +
    'metadata as bare JSON (no envelope): `service.{displayName, identifier, logoUrl, infoUrl, ' +
    'authenticationUrl, ocraSuite, enrollmentUrl}` and `identity.{identifier, displayName}`. ' +
    'Errors use the JSON error envelope.',
].join('\n');

export const TTYPE_POST_DESCRIPTION = [
  'Called by smartphone apps, no credential. Parameters may come from the query string and a ' +
    'form (or JSON) body; both are merged. What a call does depends on the token type.',
  '',
  '**TiQR** (`/ttype/tiqr`), selected by the `action` query parameter:',
  '',
  '| action | parameters | reply |',
  '| --- | --- | --- |',
  '| `metadata` | query `session`, `serial` | bare JSON metadata (as GET) |',
  '| `enrollment` | query `session`, `serial`; form `secret` (hex), `language`, ' +
    '`notificationAddress`, `notificationType`, `operation=register` | `text/plain` `OK` |',
  '| `authentication` (default) | form `sessionKey`, `userId`, `response`, `language`, ' +
    '`notificationAddress`, `notificationType`, `operation=login` | `text/plain`, see below |',
  '',
  'Authentication replies (HTTP 200, `text/plain`):',
  '',
  '| body | meaning |',
  '| --- | --- |',
  '| `OK` | correct response; the challenge counts as answered (the RP polls, then finalizes) |',
  '| `INVALID_RESPONSE:<n>` | wrong response, `<n>` attempts left (`0`: the token is now blocked) |',
  '| `INVALID_CHALLENGE` | `sessionKey` unknown, expired or already answered |',
  '| `ACCOUNT_BLOCKED` | token not usable (disabled, revoked, locked, out of attempts…); ' +
    'nothing changed |',
  "| `INVALID_USERID` | `userId` is not the token owner's identifier |",
  '| `INVALID_REQUEST` | `operation` is not `login` |',
  '',
  'Missing parameters, an unknown action and a refused enrollment (wrong or used session, ' +
    'secret not hex, operation not `register`) are answered with the JSON error envelope ' +
    '(HTTP 400); an unknown token, and metadata for a token not awaiting this session, with ' +
    'HTTP 404.',
].join('\n');
