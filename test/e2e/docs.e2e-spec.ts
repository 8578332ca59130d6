import { parsePhoneKey, PushMessage, serverPublicKey, verifyPush } from '../../src/crypto/push';
import { startTestApp, TestApp } from '../helpers/test-app';

type Example = { summary: string; value: unknown };
type Envelope = {
  jsonrpc: string;
  id: number;
  result: { status: boolean; value?: unknown; error?: { code: number; message: string } };
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
