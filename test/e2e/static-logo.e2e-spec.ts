import { startTestApp, TestApp } from '../helpers/test-app';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The default TiQR logoUrl (TIQR_LOGO_URL unset) points here; the app fetches it anonymously. */
describe('GET /static/logo.png', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves a PNG without credentials, cacheable', async () => {
    const res = await t
      .http()
      .get('/static/logo.png')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    const body = res.body as Buffer;
    expect(body.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // IHDR first: 128x128.
    expect(body.toString('ascii', 12, 16)).toBe('IHDR');
    expect([body.readUInt32BE(16), body.readUInt32BE(20)]).toEqual([128, 128]);
    expect(Number(res.headers['content-length'])).toBe(body.length);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const get = await t.http().get('/static/logo.png');
    const head = await t.http().head('/static/logo.png');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('image/png');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.text ?? '').toBe('');
  });

  it('ignores a bad credential (public like /healthz)', async () => {
    const res = await t.http().get('/static/logo.png').set('Authorization', 'Bearer not-a-jwt');
    expect(res.status).toBe(200);
  });

  it('refuses other methods', async () => {
    expect((await t.http().post('/static/logo.png')).status).toBe(405);
  });
});
