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
  });
});
