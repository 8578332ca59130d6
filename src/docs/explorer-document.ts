import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_RESPONSES, ERROR_SCHEMA } from './error-examples';

/**
 * Finishing touches on the generated OpenAPI document so that the explorer at /docs is usable end
 * to end (README "OpenAPI explorer"):
 *
 * - every `{placeholder}` of a path is declared as a path parameter (the routes read parameters
 *   through PiParams, which @nestjs/swagger cannot see), and dropped from the query or body there;
 * - request bodies list JSON first, with a valid example body; form fields carry no made-up
 *   values (Swagger UI would otherwise pre-fill `string`), only the example's;
 * - error responses (400, 401, 404) are documented with the error envelope and its codes;
 * - tags come in the order an administrator works in.
 */

type Json = Record<string, unknown>;
interface Param extends Json {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: Json;
}
interface Operation extends Json {
  tags?: string[];
  parameters?: Param[];
  requestBody?: { content: Record<string, MediaType>; required?: boolean };
  responses: Record<string, Json>;
  security?: unknown[];
  description?: string;
}
interface MediaType extends Json {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { summary?: string; value: unknown }>;
}
interface Schema extends Json {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  example?: unknown;
  default?: unknown;
}

export const RFC_4226_KEY = '3132333435363738393031323334353637383930';
const EXAMPLE_SERIAL = 'OATH0001A2B3';

/** Tags in the order an administrator works: sign in, tokens, checks, challenges, imports, apps. */
export const TAGS: { name: string; description: string }[] = [
  {
    name: 'auth',
    description:
      'Management calls need a JWT. Get one with `npm run --silent admin-token` on the server ' +
      '(admin, one hour; `-- --role user --user alice --realm default` for a user), or from the ' +
      'SSO gateway whose keys `AUTH_JWKS_URL` names. Click **Authorize** (top right) and paste ' +
      'the JWT alone: the explorer sends `Authorization: Bearer …` itself.',
  },
  {
    name: 'token',
    description:
      'Token lifecycle: enroll (`/token/init`; the QR codes show below the response), list, ' +
      'assign, enable/disable, PINs and attributes, revoke, delete.',
  },
  {
    name: 'validate',
    description:
      'Authentication as relying parties call it (no credential; `/validate/triggerchallenge` ' +
      'needs an admin JWT).',
  },
  { name: 'challenges', description: 'Open challenges: list, cancel, clean up (admin).' },
  { name: 'import', description: 'Token files: OATH CSV and PSKC (admin).' },
  {
    name: 'apps',
    description: 'Endpoints the TiQR and Push smartphone apps call (no credential).',
  },
  { name: 'health', description: 'Liveness and readiness.' },
  { name: 'static', description: 'Static assets.' },
];

export const API_DESCRIPTION = [
  'privacyIDEA-compatible token engine.',
  '',
  '**Credentials.** `/validate/check`, `/validate/polltransaction` and `/ttype/*` need none. ' +
    '`/token/*` and `/validate/triggerchallenge` need a JWT: get one with ' +
    '`npm run --silent admin-token` on the server, or from your SSO gateway (`AUTH_JWKS_URL`). ' +
    'Click **Authorize** and paste the JWT alone. Clients send it as `Authorization: Bearer <jwt>`, ' +
    'as a bare JWT in `Authorization`, or in `PI-Authorization`.',
  '',
  '**Parameters** may be sent as query string, form or JSON; values are strings. An empty ' +
    'optional field counts as absent (except `pass`, `pin`, `description` and validity ' +
    'periods, where empty is a value).',
  '',
  '**Answers** are privacyIDEA envelopes: `result.status`, `result.value`, `detail`; errors ' +
    'carry `result.error.code` (905 parameter, 601 unknown token, 4033/4304/4305/4306 ' +
    'credentials, …) and `result.error.message`.',
].join('\n');

/** Example bodies (JSON and form alike) by "METHOD path"; path parameters are not repeated. */
const BODY_EXAMPLES: Record<string, Json> = {
  'post /token/init': { type: 'hotp', otpkey: RFC_4226_KEY, user: 'alice', realm: 'default' },
  'post /token/assign': { serial: EXAMPLE_SERIAL, user: 'alice', realm: 'default' },
  'post /token/unassign': { serial: EXAMPLE_SERIAL },
  'post /token/enable': { serial: EXAMPLE_SERIAL },
  'post /token/disable': { serial: EXAMPLE_SERIAL },
  'post /token/revoke': { serial: EXAMPLE_SERIAL },
  'post /token/reset': { serial: EXAMPLE_SERIAL },
  'post /token/resync': { serial: EXAMPLE_SERIAL, otp1: '359152', otp2: '969429' },
  'post /token/resync/{serial}': { otp1: '359152', otp2: '969429' },
  'post /token/setpin': { serial: EXAMPLE_SERIAL, otppin: '1234' },
  'post /token/setpin/{serial}': { otppin: '1234' },
  'post /token/description': { serial: EXAMPLE_SERIAL, description: 'Hardware token, desk 4' },
  'post /token/description/{serial}': { description: 'Hardware token, desk 4' },
  'post /token/set': { serial: EXAMPLE_SERIAL, max_failcount: '10' },
  'post /token/set/{serial}': { max_failcount: '10' },
  'post /token/realm/{serial}': { realms: 'default' },
  'post /token/info/{serial}/{key}': { value: 'desk 4' },
  'post /validate/check': { user: 'alice', pass: '755224' },
  'post /validate/triggerchallenge': { user: 'alice' },
};

/** Path parameters nothing else describes (e.g. DELETE /token/{serial} has no DTO docs). */
const PATH_PARAMS: Record<string, { description: string; example: string; schema: Json }> = {
  serial: {
    description: 'Token serial',
    example: EXAMPLE_SERIAL,
    schema: { type: 'string', maxLength: 40 },
  },
  transaction_id: {
    description: 'Transaction id of the challenge',
    example: '08282050332563531714',
    schema: { type: 'string', maxLength: 64 },
  },
  key: {
    description: 'Tokeninfo key',
    example: 'location',
    schema: { type: 'string', maxLength: 255 },
  },
};

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

export function finishDocument(doc: OpenAPIObject): OpenAPIObject {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const fields = fieldNames(op, schemas);
      for (const name of placeholders(path)) fields.add(name);
      declarePathParams(path, op, schemas);
      // /ttype's hand-written bodies come with their own examples, per app request.
      if (!path.startsWith('/ttype')) finishBody(`${method} ${path}`, op, schemas);
      documentErrors(`${method} ${path}`, op, fields);
      uniqueOperationId(path, op);
    }
  }
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, ErrorEnvelope: ERROR_SCHEMA },
  };
  doc.tags = TAGS;
  doc.paths = sortedByTag(paths);
  return doc;
}

/** Names of all the operation's parameters and body fields. */
function fieldNames(op: Operation, schemas: Record<string, Schema>): Set<string> {
  const names = new Set((op.parameters ?? []).map((p) => p.name));
  for (const media of Object.values(op.requestBody?.content ?? {})) {
    for (const n of Object.keys(resolve(media.schema, schemas)?.properties ?? {})) names.add(n);
  }
  return names;
}

/** `TokenController_disable[1]` (second path of one route) → `TokenController_disable_serial`. */
function uniqueOperationId(path: string, op: Operation): void {
  const id = typeof op.operationId === 'string' ? op.operationId : undefined;
  const m = id && /^(.*)\[(\d+)\]$/.exec(id);
  if (!m) return;
  const names = placeholders(path);
  op.operationId = names.length ? `${m[1]}_${names.join('_')}` : m[1];
}

function placeholders(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

function resolve(schema: Schema | undefined, schemas: Record<string, Schema>): Schema | undefined {
  if (!schema?.$ref) return schema;
  return schemas[schema.$ref.replace('#/components/schemas/', '')];
}

/** Each `{name}` of the path becomes a required path parameter; nothing else is `in: path`. */
function declarePathParams(path: string, op: Operation, schemas: Record<string, Schema>): void {
  const names = placeholders(path);
  const params = (op.parameters ?? []).filter((p) => p.in !== 'path' || names.includes(p.name));
  const body = resolve(
    Object.values(op.requestBody?.content ?? {}).find((m) => m.schema)?.schema,
    schemas,
  );
  for (const name of names) {
    if (params.some((p) => p.in === 'path' && p.name === name)) continue;
    const fromQuery = params.find((p) => p.in === 'query' && p.name === name);
    const fromBody = body?.properties?.[name];
    const known: Partial<(typeof PATH_PARAMS)[string]> = PATH_PARAMS[name] ?? {};
    const description =
      fromQuery?.description ?? (fromBody?.description as string | undefined) ?? known.description;
    const maxLength = (fromQuery?.schema?.maxLength ?? fromBody?.maxLength) as number | undefined;
    params.unshift({
      name,
      in: 'path',
      required: true,
      ...(description ? { description } : {}),
      example: known.example ?? fromQuery?.example ?? fromBody?.example,
      schema: { type: 'string', ...(maxLength ? { maxLength } : (known.schema ?? {})) },
    });
  }
  // The path gives these; a query field of the same name would only confuse.
  op.parameters = params.filter((p) => !(p.in === 'query' && names.includes(p.name)));
  if (op.parameters.length === 0) delete op.parameters;
}

/**
 * JSON first, with a valid example; form fields without invented values. The body schema is
 * inlined per operation (a shared DTO schema would carry fields the path already gives).
 */
function finishBody(key: string, op: Operation, schemas: Record<string, Schema>): void {
  const content = op.requestBody?.content;
  if (!content || !(JSON_TYPE in content)) return;
  const names = placeholders(key);
  const example = BODY_EXAMPLES[key];
  const ordered: Record<string, MediaType> = {};
  // Uploads keep multipart first (the file field); elsewhere JSON leads.
  const types = Object.keys(content).some((t) => t.startsWith('multipart/'))
    ? Object.keys(content)
    : [JSON_TYPE, ...Object.keys(content).filter((t) => t !== JSON_TYPE)];
  for (const type of types) {
    const media = { ...content[type] };
    const schema = resolve(media.schema, schemas);
    if (schema?.properties) media.schema = withoutFields(schema, names, example);
    // Without an example Swagger UI would show every field, empty or "string", as JSON.
    if ((type === JSON_TYPE || type === FORM_TYPE) && !media.examples)
      media.example = example ?? {};
    ordered[type] = media;
  }
  const required = Object.values(ordered).some((m) => m.schema?.required?.length);
  op.requestBody = { ...op.requestBody, content: ordered, required };
}

function withoutFields(schema: Schema, drop: string[], example: Json | undefined): Schema {
  const properties: Record<string, Schema> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (drop.includes(name)) continue;
    // Swagger UI pre-fills a form field with its example, or with "string" when it has none.
    const value = example?.[name];
    properties[name] = { ...prop, example: value ?? '' };
  }
  const required = (schema.required ?? []).filter((n) => !drop.includes(n));
  return {
    ...schema,
    properties,
    ...(required.length ? { required } : { required: undefined }),
  };
}

/** Operations that never answer 404 although they take a serial (it selects or creates). */
const NO_NOT_FOUND = new Set([
  'get /token',
  'post /token/init',
  'get /token/challenges',
  'get /token/challenges/{serial}',
]);

/**
 * 400 (parameters), 401 (credentials), 404 (unknown token) with the error envelope, on the
 * privacyIDEA API (/token, /validate); /ttype documents its own.
 */
function documentErrors(key: string, op: Operation, fields: Set<string>): void {
  const path = key.slice(key.indexOf(' ') + 1);
  if (!/^\/(token|validate)(\/|$)/.test(path)) return;
  op.responses['400'] ??= ERROR_RESPONSES.badRequest;
  if (op.security?.length) op.responses['401'] ??= ERROR_RESPONSES.unauthorized;
  if (path.startsWith('/token') && fields.has('serial') && !NO_NOT_FOUND.has(key)) {
    op.responses['404'] ??= ERROR_RESPONSES.notFound;
  }
}

function sortedByTag(paths: Record<string, Record<string, Operation>>) {
  const rank = (item: Record<string, Operation>) => {
    const tag = Object.values(item).find((op) => op?.tags?.length)?.tags?.[0];
    const i = TAGS.findIndex((t) => t.name === tag);
    return i < 0 ? TAGS.length : i;
  };
  const entries = Object.entries(paths).map((e, i) => ({ e, i, r: rank(e[1]) }));
  entries.sort((a, b) => a.r - b.r || a.i - b.i);
  return Object.fromEntries(entries.map((x) => x.e));
}
