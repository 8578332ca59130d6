import { connect } from 'node:net';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Sends raw bytes and collects everything until the server closes the connection. */
function raw(
  url: string,
  bytes: string,
): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const end = data.indexOf('\r\n\r\n');
      const headers = data.slice(0, end);
      resolve({ status: Number(headers.split(' ')[1]), headers, body: data.slice(end + 4) });
    });
    socket.write(bytes);
  });
}

describe('errors Node raises before routing answer in the envelope', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  const envelope = (message: string) => ({
    jsonrpc: '2.0',
    detail: null,
    result: { status: false, error: { code: 905, message } },
    id: 1,
  });

  it('oversized headers: 431 with the JSON envelope', async () => {
    const res = await raw(
      t.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(res.body)).toMatchObject(envelope('ERR905: Request header fields too large'));
  });

  it('a malformed request line: 400 with the JSON envelope', async () => {
    const res = await raw(t.url, 'GARBAGE\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject(envelope('ERR905: Malformed HTTP request'));
  });

  it('a bad HTTP version: 400 with the JSON envelope', async () => {
    const res = await raw(t.url, 'GET / HTTP/9.x\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject(envelope('ERR905: Malformed HTTP request'));
  });
});
