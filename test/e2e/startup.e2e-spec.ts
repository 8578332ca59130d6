import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMysql } from '../helpers/test-app';

const ROOT = join(__dirname, '..', '..');
const TS_NODE = join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const MAIN = join(ROOT, 'src', 'main.ts');
const KEY = '0f'.repeat(32);
const SECRET = 's'.repeat(40);

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string[];
}

/** The server as `npm start` runs it (from source), with only the given environment. */
function start(env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, [TS_NODE, '--transpile-only', MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/** Runs until the process ends. */
function run(env: Record<string, string>, cwd: string): Promise<Run> {
  const child = start(env, cwd);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: lines(out), stderr: lines(err) })),
  );
}

/** Starts the server, waits for its "listening" line, stops it; every stdout line. */
function runUntilListening(env: Record<string, string>, cwd: string): Promise<string[]> {
  const child = start(env, cwd);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line in time:\n${out}\n${err}`));
    }, 45_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out) && out.endsWith('\n')) child.kill('SIGTERM');
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (/listening on/.test(out)) resolve(lines(out));
      else reject(new Error(`server did not start:\n${out}\n${err}`));
    });
  });
}

/** One line naming `variable`, no colour, no stack, exit status 1. */
function expectOneProblem(r: Run, variable: string): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toEqual([]);
  expect(r.stderr).toHaveLength(1);
  expect(r.stderr[0]).toMatch(new RegExp(`^configuration error: .*\\b${variable}\\b`));
  expect(r.stderr[0]).not.toMatch(/\u001b\[/);
}

// Start-up does not depend on the database type: run once, with the SQLite suite.
(isMysql() ? describe.skip : describe)('start-up (README "Quick start")', () => {
  jest.setTimeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mfa-startup-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const base = () => ({ DATA_DIR: join(dir, 'data'), DB_PATH: ':memory:' });

  it('a bad AUTH_JWT_SECRET: one line, exit 1', async () => {
    expectOneProblem(await run({ ...base(), AUTH_JWT_SECRET: 'short' }, dir), 'AUTH_JWT_SECRET');
  });

  it('no ENCRYPTION_KEY on MySQL: one line, exit 1', async () => {
    const r = await run({ ...base(), DB_TYPE: 'mysql', AUTH_JWT_SECRET: SECRET }, dir);
    expectOneProblem(r, 'ENCRYPTION_KEY');
  });

  it('a bad PORT: one line saying what is allowed, exit 1', async () => {
    const r = await run({ ...base(), PORT: 'eighty' }, dir);
    expectOneProblem(r, 'PORT');
    expect(r.stderr[0]).toContain('0 to 65535');
  });

  it('every problem at once, one line each; an unreadable ENCRYPTION_KEY_FILE is named', async () => {
    const r = await run(
      {
        ...base(),
        PORT: '99999',
        LOG_LEVEL: 'loud',
        DEFAULT_MAX_FAILCOUNT: 'many',
        ENCRYPTION_KEY_FILE: join(dir, 'missing.key'),
      },
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toEqual([]);
    const named = ['PORT', 'LOG_LEVEL', 'DEFAULT_MAX_FAILCOUNT', 'ENCRYPTION_KEY_FILE'];
    expect(r.stderr).toHaveLength(named.length);
    for (const variable of named) {
      expect(r.stderr).toContainEqual(expect.stringMatching(new RegExp(`\\b${variable}\\b`)));
    }
    expect(r.stderr.join('\n')).toContain('cannot be read (ENOENT)');
  });

  it('reads .env from the working directory', async () => {
    writeFileSync(join(dir, '.env'), '# settings\nPORT=not-a-port\n');
    expectOneProblem(await run(base(), dir), 'PORT');
  });

  it('a database that cannot be reached: one line per retry, then one line, exit 1', async () => {
    const r = await run(
      {
        ...base(),
        DB_TYPE: 'mysql',
        DB_URL: 'mysql://mfa:secret@127.0.0.1:1/mfa',
        DB_CONNECT_RETRIES: '1',
        ENCRYPTION_KEY: KEY,
        AUTH_JWT_SECRET: SECRET,
      },
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toHaveLength(1);
    expect(JSON.parse(r.stdout[0])).toMatchObject({
      msg: expect.stringMatching(/^database at 127\.0\.0\.1:1 not reachable .*retry 1 of 1/),
    });
    expect(r.stderr).toEqual([
      expect.stringMatching(/^startup failed: database at 127\.0\.0\.1:1 not reachable after 2/),
    ]);
    expect([...r.stdout, ...r.stderr].join('\n')).not.toContain('secret');
  });

  it('says where the API, /docs and /demo are; route mapping only at debug', async () => {
    // The environment wins over .env; other .env values apply.
    writeFileSync(
      join(dir, '.env'),
      'PORT=not-a-port\nPUBLIC_BASE_URL=https://mfa.example.test\nLOG_LEVEL=info\n',
    );
    const info = await runUntilListening({ ...base(), PORT: '0' }, dir);
    const messages = info.map((l) => JSON.parse(l) as { level: number; msg: string });
    const listening = messages.find((m) => m.msg.startsWith('listening on'));
    expect(listening?.msg).toMatch(
      /^listening on 0\.0\.0\.0:\d+ \(database: sqlite\): API https:\/\/mfa\.example\.test\/, explorer https:\/\/mfa\.example\.test\/docs, demo https:\/\/mfa\.example\.test\/demo$/,
    );
    expect(info.join('\n')).not.toMatch(/Mapped \{|dependencies initialized|\u001b\[/);
    // Generated keys are announced (embedded default), nothing else but the listening line.
    expect(messages.filter((m) => m.level === 30)).toHaveLength(1);

    const debug = await runUntilListening({ ...base(), PORT: '0', LOG_LEVEL: 'debug' }, dir);
    expect(debug.some((l) => /Mapped \{\/token\/init, POST\} route/.test(l))).toBe(true);
  });
});
