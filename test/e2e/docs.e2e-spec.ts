import { startTestApp, TestApp } from '../helpers/test-app';

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
      const metadata = op.responses['200'].content['application/json'];
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
});
