import { parsePhoneKey, PushMessage, serverPublicKey, verifyPush } from '../../src/crypto/push';
import { RFC_KEY, startTestApp, TestApp } from '../helpers/test-app';

type Example = { summary: string; value: unknown };
type Schema = { type?: string; example?: unknown; properties?: Record<string, Schema> };
type Operation = {
  operationId: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema?: Schema; example?: unknown }> };
  responses: Record<string, { content: Record<string, any>; description: string }>;
  security?: unknown[];
};
type Envelope = {
  jsonrpc: string;
  id: number;
  result: { status: boolean; value?: unknown; error: { code: number; message: string } };
  detail?: Record<string, unknown> | null;
};

describe('OpenAPI explorer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves Swagger UI at /docs and documents every endpoint at /docs-json', async () => {
    const ui = await t.http().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = (await t.http().get('/docs-json')).body;
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/validate/check',
      '/validate/triggerchallenge',
      '/validate/polltransaction',
      '/token/init',
      '/token',
      '/token/assign',
      '/token/unassign',
      '/token/enable',
      '/token/disable',
      '/token/revoke',
      '/token/reset',
      '/token/resync',
      '/token/setpin',
      '/token/description',
      '/token/set',
      '/token/realm/{serial}',
      '/token/info/{serial}/{key}',
      '/token/{serial}',
      '/token/challenges',
      '/token/challenges/expired',
      '/token/challenges/transaction/{transaction_id}',
      '/token/load/{filename}',
      '/ttype/{type}',
      '/healthz',
      '/readyz',
      '/static/logo.png',
    ]) {
      expect(paths).toContain(p);
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const check = doc.paths['/validate/check'];
    expect(check.get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['user', 'realm', 'serial', 'pass', 'transaction_id']),
    );
    expect(Object.keys(check.post.responses['200'].content['application/json'].examples)).toEqual(
      expect.arrayContaining(['accepted', 'challenge']),
    );
    expect(doc.paths['/token/init'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/token/load/{filename}'].post.requestBody.content).toHaveProperty(
      'multipart/form-data',
    );
    expect(doc.paths['/static/logo.png'].get.security).toBeUndefined();
    expect(doc.paths['/static/logo.png'].get.responses['200'].content).toHaveProperty('image/png');
  });

  it('declares every path placeholder as a path parameter, and nothing else in the path', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    const declared: string[] = [];
    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const inPath = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect([method, path, inPath.map((p) => p.name).sort()]).toEqual([
          method,
          path,
          [...names].sort(),
        ]);
        for (const p of inPath) expect(p.required).toBe(true);
        // The path gives it: no query parameter or body field of the same name.
        const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        for (const n of names)
          expect([path, query]).not.toEqual([path, expect.arrayContaining([n])]);
        for (const media of Object.values(op.requestBody?.content ?? {})) {
          for (const n of names) expect(media.schema?.properties ?? {}).not.toHaveProperty(n);
        }
        if (names.length) declared.push(`${method} ${path}`);
      }
      expect(new Set(Object.values(item).map((op) => op.operationId)).size).toBe(
        Object.keys(item).length,
      );
    }
    expect(declared).toEqual(
      expect.arrayContaining([
        'delete /token/{serial}',
        'post /token/disable/{serial}',
        'post /token/enable/{serial}',
        'post /token/revoke/{serial}',
        'post /token/reset/{serial}',
        'post /token/resync/{serial}',
        'post /token/setpin/{serial}',
        'post /token/set/{serial}',
        'post /token/description/{serial}',
        'post /token/unassign/{serial}',
        'post /token/realm/{serial}',
        'post /token/info/{serial}/{key}',
        'get /token/challenges/{serial}',
        'delete /token/challenges/transaction/{transaction_id}',
        'get /validate/polltransaction/{transaction_id}',
      ]),
    );
    const ids = Object.values<Record<string, Operation>>(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it('pre-fills no made-up values: JSON first with a valid example, empty form fields', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    const init = doc.paths['/token/init'].post.requestBody.content;
    expect(Object.keys(init)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(init['application/json'].example).toEqual({
      type: 'hotp',
      otpkey: RFC_KEY,
      user: 'alice',
      realm: 'default',
    });
    const props = init['application/x-www-form-urlencoded'].schema.properties;
    expect(props.otpkey).toMatchObject({ type: 'string', example: RFC_KEY });
    for (const name of ['serial', 'prefix', 'keysize', 'validity_period_start']) {
      expect([name, props[name].example]).toEqual([name, '']);
    }
    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      if (path.startsWith('/ttype')) continue;
      for (const op of Object.values(item)) {
        const content = op.requestBody?.content ?? {};
        if ('application/json' in content && !('multipart/form-data' in content)) {
          expect([path, Object.keys(content)[0]]).toEqual([path, 'application/json']);
          expect(content['application/json'].example).toBeDefined();
        }
        for (const media of Object.values(content)) {
          for (const [name, prop] of Object.entries(media.schema?.properties ?? {})) {
            expect([path, name, prop.example]).not.toEqual([path, name, 'string']);
            // Every field has an example (the real one, or empty): Swagger UI writes "string" otherwise.
            expect([path, name, prop.example === undefined]).toEqual([path, name, false]);
          }
        }
      }
    }
    // Keys, OTPs and PINs are strings.
    const check = doc.paths['/validate/check'].post.requestBody.content['application/json'];
    expect(check.example).toEqual({ user: 'alice', pass: '755224' });
    expect(check.schema.properties.pass.type).toBe('string');
  });

  it('orders tags as an administrator works and documents errors with the envelope', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    expect(doc.tags.map((tag: { name: string }) => tag.name).slice(0, 6)).toEqual([
      'auth',
      'token',
      'validate',
      'challenges',
      'import',
      'apps',
    ]);
    expect(doc.tags[0].description).toContain('npm run --silent admin-token');
    expect(doc.info.description).toContain('`Authorization: Bearer <jwt>`');
    expect(doc.info.description).toMatch(/SSO gateway/);
    const firstTag = Object.values<Record<string, Operation>>(doc.paths).map(
      (item) => Object.values(item)[0].tags?.[0],
    );
    expect(firstTag.indexOf('token')).toBeLessThan(firstTag.indexOf('challenges'));
    expect(Object.keys(doc.paths)[0]).toBe('/token/init');
    expect(Object.keys(doc.paths).indexOf('/token')).toBe(1);

    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      if (!/^\/(token|validate)/.test(path)) continue;
      for (const op of Object.values(item)) {
        expect([path, Object.keys(op.responses)]).toEqual([path, expect.arrayContaining(['400'])]);
        if (op.security) expect(op.responses).toHaveProperty('401');
      }
    }
    const del = doc.paths['/token/{serial}'].delete.responses;
    const env = (r: Operation['responses'][string], name: string) =>
      r.content['application/json'].examples[name].value as Envelope;
    expect(env(del['404'], 'unknownToken').result.error).toEqual({
      code: 601,
      message: 'The requested token could not be found.',
    });
    expect(env(del['401'], 'missingCredential').result.error.code).toBe(4033);
    expect(env(del['400'], 'missingParameter').result.error.code).toBe(905);
    expect(del['400'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ErrorEnvelope',
    );
    expect(doc.paths['/token/init'].post.responses['200'].description).toMatch(/picture/);
  });

  it('treats empty optional form fields as absent, as Swagger UI may send them', async () => {
    const res = await t
      .http()
      .post('/token/init')
      .set('Authorization', `Bearer ${t.admin}`)
      .type('form')
      .send({ type: 'hotp', otpkey: RFC_KEY, serial: '', prefix: '', realm: '', user: '' })
      .send('keysize=&otplen=&validity_period_start=&tokenrealm=');
    expect(res.status).toBe(200);
    expect(res.body.detail.serial).toMatch(/^OATH/);
  });

  it('documents the TiQR actions of /ttype/{type}: parameters, form fields and replies', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    const { get, post } = doc.paths['/ttype/{type}'];
    for (const op of [get, post]) {
      expect(op.security).toBeUndefined();
      const params = Object.fromEntries(
        op.parameters.map((p: { name: string; required?: boolean }) => [p.name, p]),
      );
      expect(Object.keys(params)).toEqual(
        expect.arrayContaining(['type', 'action', 'session', 'serial']),
      );
      // Type-specific: nothing but the path may be required ("Try it out" for other types).
      for (const name of ['action', 'session', 'serial']) expect(params[name].required).toBe(false);
      expect(params.action.description).toMatch(/metadata/);
      const metadata = {
        schema: op.responses['200'].content['application/json'].schema.anyOf.find(
          (s: { properties?: Record<string, unknown> }) => s.properties?.service,
        ),
      };
      expect(Object.keys(metadata.schema.properties.service.properties).sort()).toEqual(
        [
          'authenticationUrl',
          'displayName',
          'enrollmentUrl',
          'identifier',
          'infoUrl',
          'logoUrl',
          'ocraSuite',
        ].sort(),
      );
      expect(Object.keys(metadata.schema.properties.identity.properties).sort()).toEqual([
        'displayName',
        'identifier',
      ]);
      expect(op.responses['400'].content['application/json'].examples).toHaveProperty(
        'missingParameter',
      );
      expect(op.responses).toHaveProperty('404');
    }
    expect(post.description).toEqual(
      expect.stringMatching(/`metadata`[\s\S]*`enrollment`[\s\S]*`authentication`/),
    );

    // Form fields of enrollment and authentication, none required.
    expect(post.requestBody.required).toBe(false);
    const form = post.requestBody.content['application/x-www-form-urlencoded'];
    expect(Object.keys(form.schema.properties)).toEqual(
      expect.arrayContaining([
        'secret',
        'language',
        'notificationAddress',
        'notificationType',
        'operation',
        'sessionKey',
        'userId',
        'response',
      ]),
    );
    expect(form.schema.required).toBeUndefined();
    expect(form.examples.tiqrEnrollment.value).toMatchObject({ operation: 'register' });
    expect(form.examples.tiqrAuthentication.value).toMatchObject({ operation: 'login' });

    // Every plain-text reply the app understands, with its meaning.
    const text = post.responses['200'].content['text/plain'];
    const replies = Object.values<{ summary: string; value: string }>(text.examples);
    expect(replies.map((e) => e.value)).toEqual(
      expect.arrayContaining([
        'OK',
        expect.stringMatching(/^INVALID_RESPONSE:\d+$/),
        'INVALID_CHALLENGE',
        'ACCOUNT_BLOCKED',
        'INVALID_USERID',
        'INVALID_REQUEST',
      ]),
    );
    for (const e of replies) expect(e.summary.length).toBeGreaterThan(0);
    for (const reply of ['INVALID_RESPONSE:<n>', 'INVALID_CHALLENGE', 'ACCOUNT_BLOCKED']) {
      expect(post.description).toContain(reply);
    }
  });

  it('documents the Push requests of /ttype/{type}: fields, replies and errors', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    const { get, post } = doc.paths['/ttype/{type}'];
    expect(get.parameters.find((p: { name: string }) => p.name === 'type').description).toMatch(
      /push/,
    );

    // Poll (GET): serial, timestamp, signature as optional query parameters without values.
    const query = Object.fromEntries(
      get.parameters.map((p: { name: string; required?: boolean }) => [p.name, p]),
    );
    for (const name of ['serial', 'timestamp', 'signature']) {
      expect(query[name].required).toBe(false);
      expect(query[name].example).toBeUndefined();
      expect(query[name].schema.default).toBeUndefined();
      expect(query[name].description).toMatch(/Push poll/);
    }
    expect(query.timestamp.description).toMatch(/ISO 8601[\s\S]*±1 minute/);
    expect(query.signature.description).toContain('{serial}|{timestamp}');

    // Poll reply: the envelope whose value lists signed challenge objects.
    const getJson = get.responses['200'].content['application/json'];
    const poll = getJson.schema.anyOf.find(
      (s: { properties?: { result?: unknown } }) => s.properties?.result,
    );
    const challenge = poll.properties.result.properties.value.items;
    expect(Object.keys(challenge.properties)).toEqual(
      expect.arrayContaining([
        'nonce',
        'question',
        'serial',
        'title',
        'sslverify',
        'url',
        'signature',
        'require_presence',
        'version',
      ]),
    );
    expect(challenge.required.sort()).toEqual(
      ['nonce', 'question', 'serial', 'sslverify', 'signature', 'title', 'url'].sort(),
    );
    const pollExample = getJson.examples.pushPoll.value as Envelope;
    expect(pollExample).toMatchObject({ jsonrpc: '2.0', id: 1, result: { status: true } });
    expect(Array.isArray(pollExample.result.value)).toBe(true);
    expect(getJson.examples.pushPollPresence.value.result.value[0]).toMatchObject({
      require_presence: expect.any(String),
      version: '2',
    });
    expect(getJson.examples.pushPollEmpty.value.result.value).toEqual([]);
    expect(get.description).toMatch(/\*\*Push\*\*/);

    // 403 only on GET (polling switched off).
    expect(get.responses['403'].content['application/json'].examples).toMatchObject({
      pushPollingNotAllowed: {
        value: { result: { error: { code: 303, message: 'Polling not allowed!' } } },
      },
    });
    expect(post.responses['403']).toBeUndefined();

    // POST form fields of stage 2, answer and token update: all optional, with descriptions.
    const form = post.requestBody.content['application/x-www-form-urlencoded'];
    const fields = form.schema.properties as Record<string, { description: string }>;
    for (const name of [
      'serial',
      'enrollment_credential',
      'fbtoken',
      'pubkey',
      'nonce',
      'signature',
      'decline',
      'decline_reason',
      'presence_answer',
      'new_fb_token',
      'timestamp',
    ]) {
      expect(fields[name].description).toMatch(/Push/);
    }
    expect(form.schema.required).toBeUndefined();
    expect(fields.pubkey.description).toMatch(/SubjectPublicKeyInfo/);
    expect(fields.timestamp.description).toMatch(/±5 minutes/);
    expect(fields.fbtoken.description).toContain('no_firebase_token');
    for (const op of [get, post]) {
      for (const p of op.parameters) expect(p.example).toBeUndefined();
    }
    expect(Object.values(form.schema.properties)).not.toContainEqual(
      expect.objectContaining({ example: expect.anything() }),
    );
    expect(Object.keys(form.examples)).toEqual(
      expect.arrayContaining([
        'pushEnrollment',
        'pushAccept',
        'pushDecline',
        'pushPresenceAnswer',
        'pushFirebaseTokenUpdate',
      ]),
    );

    // The example signatures are real (push.md §12 vectors): each verifies with its key.
    const ex = Object.fromEntries(
      Object.entries<Example>(form.examples).map(([k, v]) => [
        k,
        v.value as Record<string, string>,
      ]),
    );
    const phone = parsePhoneKey(ex.pushEnrollment.pubkey);
    const { pushAccept: acc, pushDecline: dec, pushPresenceAnswer: pres } = ex;
    expect(verifyPush(phone, PushMessage.accept(acc.nonce, acc.serial), acc.signature)).toBe(true);
    expect(verifyPush(phone, PushMessage.decline(dec.nonce, dec.serial), dec.signature)).toBe(true);
    expect(
      verifyPush(
        phone,
        PushMessage.accept(pres.nonce, pres.serial, pres.presence_answer),
        pres.signature,
      ),
    ).toBe(true);
    const upd = ex.pushFirebaseTokenUpdate;
    expect(
      verifyPush(
        phone,
        PushMessage.tokenUpdate(upd.new_fb_token, upd.serial, upd.timestamp),
        upd.signature,
      ),
    ).toBe(true);

    // POST replies: stage 2 envelope with detail.public_key (PKCS#1 body), boolean envelopes.
    const postJson = post.responses['200'].content['application/json'];
    const stage2 = postJson.schema.anyOf.find(
      (s: { properties?: { detail?: unknown } }) => s.properties?.detail,
    );
    expect(Object.keys(stage2.properties.detail.properties)).toEqual(
      expect.arrayContaining(['serial', 'rollout_state', 'public_key']),
    );
    expect(stage2.properties.detail.properties.public_key.description).toMatch(/PKCS#1/);
    const enrolled = postJson.examples.pushEnrolled.value as Envelope;
    expect(enrolled).toMatchObject({
      id: 1,
      result: { status: true, value: true },
      detail: { serial: ex.pushEnrollment.serial, rollout_state: 'enrolled' },
    });
    const serverKey = serverPublicKey(
      `-----BEGIN RSA PUBLIC KEY-----\n${String(enrolled.detail?.public_key)}\n-----END RSA PUBLIC KEY-----\n`,
    );
    for (const item of [
      pollExample.result.value,
      getJson.examples.pushPollPresence.value.result.value,
    ].flat() as Record<string, string>[]) {
      const message = PushMessage.challenge({
        ...item,
        requirePresence: item.require_presence,
      } as Parameters<typeof PushMessage.challenge>[0]);
      expect(verifyPush(serverKey, message, item.signature)).toBe(true);
    }
    expect(postJson.examples.pushAnswered.value.result.value).toBe(true);
    expect(postJson.examples.pushNotAnswered.value.result.value).toBe(false);
    expect(postJson.examples.pushTokenUpdated.value.result.value).toBe(true);
    expect(post.description).toMatch(/\*\*Push\*\*/);
    for (const field of [
      'enrollment_credential',
      'fbtoken',
      'pubkey',
      'presence_answer',
      'new_fb_token',
    ]) {
      expect(post.description).toContain(`\`${field}\``);
    }

    // Error replies, with status, code and the exact messages.
    const messages = (status: string, op: typeof get): string[] =>
      Object.values<Example>(op.responses[status].content['application/json'].examples).map((e) => {
        const env = e.value as Envelope;
        return `${env.result.error?.code} ${env.result.error?.message}`;
      });
    for (const op of [get, post]) {
      expect(messages('400', op)).toEqual(
        expect.arrayContaining([
          '10 ERR10: Could not verify signature!',
          expect.stringMatching(/^10 ERR10: Timestamp \S+ not in valid range\.$/),
          expect.stringMatching(
            /^10 ERR10: Could not parse timestamp \S+\. ISO-Format required\.$/,
          ),
          '905 ERR905: Invalid enrollment credential. You are not authorized to finalize this token.',
          '905 ERR905: Missing parameters!',
        ]),
      );
      expect(messages('404', op)).toContain(
        "601 No token with this serial number in the rollout state 'clientwait'.",
      );
    }
    expect(messages('403', get)).toEqual(['303 Polling not allowed!']);
  });
});
