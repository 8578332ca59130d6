#!/usr/bin/env node
'use strict';
/**
 * End-to-end HTTP benchmark of the built server (run `npm run build` first; this script builds
 * nothing). For every selected database it starts `node dist/src/main.js` as a child process on a
 * temporary data folder (SQLite) or a scratch MariaDB database, seeds users and HOTP tokens over the
 * API, runs the scenario × concurrency matrix with autocannon (in this process, so server and load
 * generator are separate processes), writes bench/results/<timestamp>.json and prints a Markdown
 * table. See bench/README.md for options.
 */

const autocannon = require('autocannon');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_SERVER_ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');
const RESULTS_DIR = path.join(__dirname, 'results');

// ---------------------------------------------------------------------------------------------
// Options: command line wins over environment.

const SCENARIOS = {
  'check-fail-nopin': {
    endpoint: '/validate/check',
    what: 'failing check (wrong OTP), no PIN',
    pin: false,
    expect: false,
  },
  'check-fail-pin': {
    endpoint: '/validate/check',
    what: 'failing check (right PIN, wrong OTP)',
    pin: true,
    expect: false,
  },
  'check-ok-nopin': {
    endpoint: '/validate/check',
    what: 'successful check, no PIN',
    pin: false,
    expect: true,
  },
  'check-ok-pin': {
    endpoint: '/validate/check',
    what: 'successful check, with PIN',
    pin: true,
    expect: true,
  },
  'init-nopin': {
    endpoint: '/token/init',
    what: 'enroll HOTP token for a new user, no PIN',
    pin: false,
    expect: true,
  },
  'init-pin': {
    endpoint: '/token/init',
    what: 'enroll HOTP token for a new user, with PIN',
    pin: true,
    expect: true,
  },
};

function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      scenarios: { type: 'string' },
      users: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean' },
      'mysql-url': { type: 'string' },
      'keep-data': { type: 'boolean' },
      'quiet-wait': { type: 'string' },
      server: { type: 'string' },
      'server-warmup': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(fs.readFileSync(path.join(__dirname, 'README.md'), 'utf8'));
    process.exit(0);
  }
  const list = (v) =>
    String(v)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const num = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}`);
    return n;
  };
  const dbs = list(values.db ?? env.BENCH_DB ?? 'sqlite,mysql').map((d) =>
    d === 'mariadb' ? 'mysql' : d,
  );
  for (const d of dbs) if (d !== 'sqlite' && d !== 'mysql') throw new Error(`unknown db ${d}`);
  const scenarios = list(
    values.scenarios ?? env.BENCH_SCENARIOS ?? Object.keys(SCENARIOS).join(','),
  );
  for (const s of scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}`);
  return {
    dbs,
    scenarios,
    duration: num('duration', values.duration ?? env.BENCH_DURATION ?? 8, 1),
    warmup: num('warmup', values.warmup ?? env.BENCH_WARMUP ?? 1, 0),
    concurrency: list(values.concurrency ?? env.BENCH_CONCURRENCY ?? '1,8,32').map((c) =>
      num('concurrency', c, 1),
    ),
    users: num('users', values.users ?? env.BENCH_USERS ?? 200, 1),
    out: values.out ?? env.BENCH_OUT,
    profile: Boolean(values.profile ?? /^(1|true|yes)$/i.test(env.BENCH_PROFILE ?? '')),
    mysqlUrl: values['mysql-url'] ?? env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mfa_bench',
    keepData: Boolean(values['keep-data']),
    serverEntry: path.resolve(values.server ?? env.BENCH_SERVER ?? DEFAULT_SERVER_ENTRY),
    serverWarmup: num('server-warmup', values['server-warmup'] ?? env.BENCH_SERVER_WARMUP ?? 6, 0),
    quietWait: num('quiet-wait', values['quiet-wait'] ?? env.BENCH_QUIET_WAIT ?? 60, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** RFC 4226 HOTP (HMAC-SHA1, 6 digits), independent of the server's code. */
function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** HS256 JWT as scripts/admin-token.mjs mints it (role=admin, username=admin). */
function adminJwt(secret, ttlSeconds = 6 * 3600) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ role: 'admin', username: 'admin', iat: now, exp: now + ttlSeconds });
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user+system) a process has used so far, from /proc (Linux only). */
function procCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process and all its descendants (a clustered server has worker processes). */
function treeCpuSeconds(rootPid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // process went away
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    const cpu = procCpuSeconds(pid);
    if (cpu === undefined) continue;
    total += cpu;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

const STAT_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

/** Machine-wide CPU seconds per /proc/stat category (all cores). */
function systemStat() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return Object.fromEntries(STAT_FIELDS.map((k, i) => [k, v[i] / 100]));
  } catch {
    return undefined;
  }
}

/** Machine-wide busy CPU seconds (all cores) from /proc/stat. */
function systemBusySeconds() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return (total - v[3] - v[4]) / 100; // minus idle and iowait
  } catch {
    return undefined;
  }
}

/**
 * Other engineers' jobs (tests, builds) share this machine. Before each point wait (bounded)
 * until the machine is nearly idle, so that the numbers measure the server and not the neighbours.
 */
async function waitForQuietMachine(maxWaitSeconds, thresholdPercent = 15) {
  const t0 = Date.now();
  for (;;) {
    const b0 = systemBusySeconds();
    await sleep(1000);
    const b1 = systemBusySeconds();
    if (b0 === undefined || b1 === undefined) return undefined;
    const busy = (b1 - b0) * 100;
    const waited = (Date.now() - t0) / 1000;
    if (busy < thresholdPercent || waited >= maxWaitSeconds) {
      return { busyPercentBefore: Math.round(busy), waitedSeconds: Math.round(waited) };
    }
  }
}

function findPidByComm(name) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry);
    } catch {
      // process went away
    }
  }
  return undefined;
}

/**
 * Seeding requests are retried on a 500: concurrent /token/init on MariaDB can deadlock (see
 * RESULTS.md); the seed must not depend on that. Measured requests are never retried.
 */
const seedStats = { retried500: 0 };

async function formRetry(base, urlPath, params, headers = {}, attempts = 6) {
  for (let i = 1; ; i++) {
    try {
      return await form(base, urlPath, params, headers);
    } catch (e) {
      if (i >= attempts || !/ -> 500:/.test(String(e.message))) throw e;
      seedStats.retried500++;
      await sleep(20 * i);
    }
  }
}

async function form(base, urlPath, params, headers = {}) {
  const res = await fetch(base + urlPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status !== 200 || !json?.result?.status) {
    throw new Error(`${urlPath} -> ${res.status}: ${text.slice(0, 300)}`);
  }
  return json;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------------
// Database and server lifecycle

function mysqlParts(url) {
  const u = new URL(url);
  return {
    database: u.pathname.replace(/^\//, ''),
    args: [
      '-h',
      u.hostname,
      '-P',
      u.port || '3306',
      '-u',
      decodeURIComponent(u.username || 'root'),
      ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []),
    ],
  };
}

function mariadb(url, sql) {
  const { args } = mysqlParts(url);
  return execFileSync('mariadb', [...args, '-N', '-B', '-e', sql], { encoding: 'utf8' }).trim();
}

function recreateMysqlDatabase(url) {
  const { database } = mysqlParts(url);
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`unsafe database name ${database}`);
  mariadb(
    url,
    `DROP DATABASE IF EXISTS \`${database}\`; ` +
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
}

function dropMysqlDatabase(url) {
  const { database } = mysqlParts(url);
  mariadb(url, `DROP DATABASE IF EXISTS \`${database}\``);
}

async function startServer(db, opts, tag) {
  if (!fs.existsSync(opts.serverEntry)) {
    throw new Error(`${opts.serverEntry} is missing: run \`npm run build\` first`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `mfa-bench-${db}-`));
  const port = await freePort();
  const secret = crypto.randomBytes(32).toString('hex');
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DB_PATH: path.join(dataDir, 'mfa.sqlite'),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
    AUTH_JWT_SECRET: secret,
    DB_TYPE: db,
  };
  // Settings that would change what is measured are left at the server's defaults.
  for (const k of ['PIN_HASH_MEMORY_KIB', 'PIN_HASH_TIME_COST', 'PIN_HASH_PARALLELISM']) {
    delete env[k];
  }
  if (db === 'mysql') {
    recreateMysqlDatabase(opts.mysqlUrl);
    env.DB_URL = opts.mysqlUrl;
  } else {
    delete env.DB_URL;
  }
  const nodeArgs = [];
  let profileDir;
  if (opts.profile) {
    profileDir = path.join(RESULTS_DIR, `profile-${tag}-${db}`);
    fs.mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const logFile = path.join(dataDir, 'server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, opts.serverEntry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      throw new Error(
        `server exited during startup (${JSON.stringify(exited)}):\n` +
          fs.readFileSync(logFile, 'utf8').slice(-2000),
      );
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not come up; see ${logFile}`);
    await sleep(200);
  }
  return {
    db,
    base,
    port,
    pid: child.pid,
    dataDir,
    logFile,
    profileDir,
    jwt: adminJwt(secret),
    async stop() {
      if (!exited) {
        // SIGINT: Nest's shutdown hooks close the app; the process then exits normally, which
        // lets --cpu-prof write its profile.
        child.kill('SIGINT');
        const t0 = Date.now();
        while (!exited && Date.now() - t0 < 15_000) await sleep(100);
        if (!exited) child.kill('SIGKILL');
        while (!exited) await sleep(50);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding

const PIN = 'benchpin';

/** One pool of users with one HOTP token each, for one check scenario. */
async function seedPool(server, prefix, count, withPin) {
  const auth = { Authorization: `Bearer ${server.jwt}` };
  const users = Array.from({ length: count }, (_, i) => ({
    login: `${prefix}${i}`,
    key: crypto.randomBytes(20),
    counter: 0,
    pin: withPin ? PIN : '',
  }));
  // One at a time on MariaDB: concurrent /token/init deadlocks there (RESULTS.md).
  await pool(users, server.db === 'mysql' ? 1 : 4, async (u) => {
    const res = await formRetry(
      server.base,
      '/token/init',
      { type: 'hotp', otpkey: u.key.toString('hex'), user: u.login, pin: u.pin },
      auth,
    );
    u.serial = res.detail.serial;
    // The failing checks must not lock the token (a locked token answers without a DB write).
    await formRetry(server.base, '/token/set', { serial: u.serial, max_failcount: '999999' }, auth);
    // A wrong OTP: none of the values the server would accept (counter window 10) or flag as
    // "previous OTP".
    const accepted = new Set(Array.from({ length: 12 }, (_, c) => hotp(u.key, c)));
    for (let n = 0; ; n++) {
      const candidate = String((n * 111111) % 1000000).padStart(6, '0');
      if (!accepted.has(candidate)) {
        u.wrongOtp = candidate;
        break;
      }
    }
  });
  return users;
}

/** Sanity check of a pool before measuring: one request must give the expected answer. */
async function probe(server, users, expect) {
  const u = users[0];
  const otp = expect ? hotp(u.key, u.counter++) : u.wrongOtp;
  const res = await form(server.base, '/validate/check', { user: u.login, pass: u.pin + otp });
  if (res.result.value !== expect) {
    throw new Error(`probe for ${u.login} expected value=${expect}: ${JSON.stringify(res)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Request generators

function checkRequests(users, expect, tally) {
  let rr = 0;
  return [
    {
      method: 'POST',
      path: '/validate/check',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest(req) {
        const u = users[rr++ % users.length];
        const otp = expect ? hotp(u.key, u.counter++) : u.wrongOtp;
        req.body = `user=${encodeURIComponent(u.login)}&pass=${encodeURIComponent(u.pin + otp)}`;
        return req;
      },
      onResponse: tally,
    },
  ];
}

function initRequests(server, withPin, tally, runId) {
  let n = 0;
  return [
    {
      method: 'POST',
      path: '/token/init',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${server.jwt}`,
      },
      setupRequest(req) {
        const login = `init${runId}u${n++}`;
        const key = crypto.randomBytes(20).toString('hex');
        req.body = `type=hotp&otpkey=${key}&user=${login}${withPin ? `&pin=${PIN}` : ''}`;
        return req;
      },
      onResponse: tally,
    },
  ];
}

/** Counts the answers of one run from the response bodies; keeps the first unexpected one. */
function newTally(expect) {
  const t = { valueTrue: 0, valueFalse: 0, errors: 0, other: 0, statuses: {}, sample: undefined };
  t.onResponse = (status, body) => {
    t.statuses[status] = (t.statuses[status] ?? 0) + 1;
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const value = json?.result?.value;
    if (json?.result?.status === false) t.errors++;
    else if (value === true) t.valueTrue++;
    else if (value === false) t.valueFalse++;
    else t.other++;
    if (value !== expect || json?.result?.status !== true) t.sample ??= String(body).slice(0, 300);
  };
  return t;
}

function runAutocannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    // autocannon's own progress output is not wanted; keep the process quiet.
    instance.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Matrix

async function measure(server, scenario, concurrency, opts, requestsFor, mysqldPid) {
  const sc = SCENARIOS[scenario];
  const quiet = opts.quietWait > 0 ? await waitForQuietMachine(opts.quietWait) : undefined;
  const load0 = os.loadavg().map((x) => Math.round(x * 100) / 100);
  if (opts.warmup > 0) {
    const warm = newTally(sc.expect);
    await runAutocannon({
      url: server.base,
      connections: concurrency,
      duration: opts.warmup,
      requests: requestsFor(warm.onResponse, 'w'),
    });
  }
  const tally = newTally(sc.expect);
  const cpu0 = {
    server: treeCpuSeconds(server.pid),
    client: process.cpuUsage(),
    mysqld: mysqldPid ? procCpuSeconds(mysqldPid) : undefined,
    system: systemBusySeconds(),
    stat: systemStat(),
  };
  const t0 = process.hrtime.bigint();
  const r = await runAutocannon({
    url: server.base,
    connections: concurrency,
    duration: opts.duration,
    requests: requestsFor(tally.onResponse, 'm'),
  });
  const t1 = process.hrtime.bigint();
  const wall = Number(t1 - t0) / 1e9;
  const clientCpu = process.cpuUsage(cpu0.client);
  const serverCpu = treeCpuSeconds(server.pid);
  const mysqldCpu = mysqldPid ? procCpuSeconds(mysqldPid) : undefined;
  const systemBusy = systemBusySeconds();
  const stat1 = systemStat();
  const answered = tally.valueTrue + tally.valueFalse + tally.errors + tally.other;
  const hits = sc.expect ? tally.valueTrue : tally.valueFalse;
  const pct = (x) => (x === undefined ? undefined : Math.round((x / wall) * 1000) / 10);
  const cpu = {
    server: serverCpu !== undefined ? pct(serverCpu - cpu0.server) : undefined,
    loadGenerator: pct((clientCpu.user + clientCpu.system) / 1e6),
    mariadbd: mysqldCpu !== undefined ? pct(mysqldCpu - cpu0.mysqld) : undefined,
    // Whole machine, out of nproc × 100 %.
    machine: systemBusy !== undefined ? pct(systemBusy - cpu0.system) : undefined,
  };
  // The rest: other engineers' jobs, kernel work not charged to a process.
  cpu.other =
    cpu.machine !== undefined
      ? Math.round(
          (cpu.machine - (cpu.server ?? 0) - cpu.loadGenerator - (cpu.mariadbd ?? 0)) * 10,
        ) / 10
      : undefined;
  const serverCpuSeconds = serverCpu !== undefined ? serverCpu - cpu0.server : undefined;
  return {
    db: server.db,
    scenario,
    endpoint: sc.endpoint,
    description: sc.what,
    pin: sc.pin,
    expectValue: sc.expect,
    concurrency,
    durationSeconds: opts.duration,
    requests: r.requests.total,
    reqPerSecMean: r.requests.average,
    reqPerSecStddev: r.requests.stddev,
    latencyMs: {
      mean: r.latency.mean,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    non2xx: r.non2xx,
    socketErrors: r.errors,
    timeouts: r.timeouts,
    answered,
    valueTrue: tally.valueTrue,
    valueFalse: tally.valueFalse,
    errorEnvelopes: tally.errors,
    unparsable: tally.other,
    statuses: tally.statuses,
    expectedRatio: answered ? hits / answered : 0,
    unexpectedSample: tally.sample,
    // CLOCK_MONOTONIC in µs, the clock of V8 CPU profiles: bench/profile-summary.js --results
    // uses it to keep only this point's samples.
    monotonicUs: { start: Number(t0 / 1000n), end: Number(t1 / 1000n) },
    cpuPercent: cpu,
    // Server CPU (all its threads) per answered request: less sensitive to neighbours on the
    // machine than req/s.
    serverCpuMsPerRequest:
      serverCpuSeconds !== undefined && answered > 0
        ? Math.round((serverCpuSeconds / answered) * 1e6) / 1e3
        : undefined,
    // Machine CPU by /proc/stat category, % of one core: softirq is loopback networking, steal
    // is time the hypervisor gave to other guests.
    machineCpuPercent:
      stat1 && cpu0.stat
        ? Object.fromEntries(
            STAT_FIELDS.filter((k) => k !== 'idle').map((k) => [k, pct(stat1[k] - cpu0.stat[k])]),
          )
        : undefined,
    quietBefore: quiet,
    loadAverageBefore: load0,
  };
}

async function runDb(db, opts, runTag) {
  console.error(`\n== ${db}: starting server`);
  const server = await startServer(db, opts, runTag);
  const points = [];
  let versions = {};
  try {
    const mysqldPid =
      db === 'mysql' ? (findPidByComm('mariadbd') ?? findPidByComm('mysqld')) : undefined;
    versions = {
      db: db === 'mysql' ? mariadb(opts.mysqlUrl, 'SELECT VERSION()') : sqliteVersion(),
    };
    const pools = {};
    const seedStart = Date.now();
    for (const s of opts.scenarios) {
      if (!s.startsWith('check-')) continue;
      const sc = SCENARIOS[s];
      const prefix = s.replace('check-', '').replace('-', '');
      console.error(`   seeding ${opts.users} users for ${s}`);
      pools[s] = await seedPool(server, `${prefix}`, opts.users, sc.pin);
      await probe(server, pools[s], sc.expect);
    }
    console.error(
      `   seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s` +
        (seedStats.retried500
          ? ` (${seedStats.retried500} seeding requests retried after a 500)`
          : ''),
    );
    versions.seedRetried500 = seedStats.retried500;
    seedStats.retried500 = 0;

    // A fresh server is slower for its first seconds (JIT, caches): the first measured point
    // would pay for it. Warm the check path up (unmeasured) before the matrix.
    const warmScenarios = Object.keys(pools).filter((s) => !SCENARIOS[s].pin);
    if (opts.serverWarmup > 0 && Object.keys(pools).length > 0) {
      const list = warmScenarios.length > 0 ? warmScenarios : Object.keys(pools);
      console.error(`   warming the server up for ${opts.serverWarmup} s (${list.join(', ')})`);
      for (const s of list) {
        const tally = newTally(SCENARIOS[s].expect);
        await runAutocannon({
          url: server.base,
          connections: 8,
          duration: Math.max(1, Math.round(opts.serverWarmup / list.length)),
          requests: checkRequests(pools[s], SCENARIOS[s].expect, tally.onResponse),
        });
      }
    }

    // Checks first, enrollment last: /token/init grows the tables the checks read.
    const order = opts.scenarios.filter((s) => s.startsWith('check-'));
    order.push(...opts.scenarios.filter((s) => s.startsWith('init-')));
    let initRun = 0;
    for (const s of order) {
      for (const c of opts.concurrency) {
        const sc = SCENARIOS[s];
        const requestsFor = s.startsWith('check-')
          ? (tally) => checkRequests(pools[s], sc.expect, tally)
          : (tally, phase) =>
              initRequests(server, sc.pin, tally, `${s.slice(5)}c${c}${phase}${initRun++}`);
        const p = await measure(server, s, c, opts, requestsFor, mysqldPid);
        points.push(p);
        console.error(
          `   ${s.padEnd(17)} c=${String(c).padStart(2)}  ${p.reqPerSecMean.toFixed(1).padStart(8)} req/s` +
            `  p50 ${p.latencyMs.p50} ms  p99 ${p.latencyMs.p99} ms  non2xx ${p.non2xx}` +
            `  expected ${(p.expectedRatio * 100).toFixed(2)}%  cpu server ${p.cpuPercent.server}%` +
            ` client ${p.cpuPercent.loadGenerator}%` +
            ` (${p.serverCpuMsPerRequest} ms CPU/req)` +
            (p.cpuPercent.mariadbd !== undefined ? ` mariadbd ${p.cpuPercent.mariadbd}%` : '') +
            ` other ${p.cpuPercent.other}%`,
        );
      }
    }
  } catch (e) {
    console.error(`   server log (${server.logFile}), last lines:`);
    console.error(fs.readFileSync(server.logFile, 'utf8').split('\n').slice(-15).join('\n'));
    throw e;
  } finally {
    await server.stop();
    if (db === 'mysql' && !opts.keepData) dropMysqlDatabase(opts.mysqlUrl);
    if (!opts.keepData) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
  return { points, versions, profileDir: server.profileDir };
}

function sqliteVersion() {
  try {
    const Database = require(require.resolve('better-sqlite3', { paths: [ROOT] }));
    const mem = new Database(':memory:');
    const v = mem.prepare('select sqlite_version() as v').get().v;
    mem.close();
    return `SQLite ${v} (better-sqlite3 ${require(path.join(ROOT, 'node_modules/better-sqlite3/package.json')).version})`;
  } catch {
    return 'SQLite (version unknown)';
  }
}

function environment() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model;
  let gitCommit;
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    gitCommit = undefined;
  }
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: model,
    memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    autocannon: require('autocannon/package.json').version,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    gitCommit,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function markdownTable(points) {
  const head =
    '| DB | endpoint | PIN | c | req/s (mean) | p50 ms | p99 ms | non-2xx | expected answers (n) | server CPU ms/req | CPU % server / load-gen / mariadbd / other |';
  const sep = '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|';
  const rows = points.map((p) => {
    const expected = p.expectValue ? 'value:true' : 'value:false';
    const kind = p.scenario.startsWith('check-') ? (p.expectValue ? ' success' : ' wrong OTP') : '';
    return (
      `| ${p.db === 'mysql' ? 'MariaDB' : 'SQLite'} | ${p.endpoint}${kind} ` +
      `| ${p.pin ? 'yes' : 'no'} | ${p.concurrency} | ${p.reqPerSecMean.toFixed(1)} | ${p.latencyMs.p50} | ${p.latencyMs.p99} ` +
      `| ${p.non2xx} | ${(p.expectedRatio * 100).toFixed(2)}% ${expected} (${p.answered}) ` +
      `| ${p.serverCpuMsPerRequest ?? '?'} ` +
      `| ${p.cpuPercent.server ?? '?'} / ${p.cpuPercent.loadGenerator} / ${p.cpuPercent.mariadbd ?? '–'} / ${p.cpuPercent.other ?? '?'} |`
    );
  });
  return [head, sep, ...rows].join('\n');
}

async function main() {
  const opts = parseOptions();
  const env = environment();
  // What was measured: dist/ can be rebuilt by anyone, HEAD may have moved since.
  env.serverEntry = path.relative(ROOT, opts.serverEntry) || opts.serverEntry;
  env.serverEntryBuiltAt = fs.existsSync(opts.serverEntry)
    ? fs.statSync(opts.serverEntry).mtime.toISOString()
    : undefined;
  const runTag = env.date.replace(/[:.]/g, '-');
  console.error(
    `mfa bench: dbs=${opts.dbs.join(',')} scenarios=${opts.scenarios.length} ` +
      `concurrency=${opts.concurrency.join(',')} duration=${opts.duration}s warmup=${opts.warmup}s`,
  );
  const all = { environment: env, options: opts, versions: {}, points: [], profiles: {} };
  for (const db of opts.dbs) {
    const { points, versions, profileDir } = await runDb(db, opts, runTag);
    all.points.push(...points);
    all.versions[db] = versions.db;
    if (profileDir) {
      const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      all.profiles[db] = files.map((f) => path.join(profileDir, f));
    }
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = opts.out ?? path.join(RESULTS_DIR, `${runTag}.json`);
  fs.writeFileSync(out, JSON.stringify(all, null, 2) + '\n');

  const failedChecks = all.points.filter((p) => p.expectedRatio < (p.expectValue ? 0.99 : 1));
  console.log(
    `\n${env.date} · ${env.cpuModel} · nproc ${env.nproc} · Node ${env.node} · ` +
      Object.entries(all.versions)
        .map(([k, v]) => `${k}: ${v}`)
        .join(' · '),
  );
  console.log(`\n${markdownTable(all.points)}\n`);
  console.log(`results: ${path.relative(ROOT, out)}`);
  for (const [db, files] of Object.entries(all.profiles)) {
    for (const f of files) console.log(`cpu profile (${db}): ${path.relative(ROOT, f)}`);
  }
  if (failedChecks.length > 0) {
    console.log(
      `\nWARNING: ${failedChecks.length} point(s) below the expected-answer threshold ` +
        '(successes < 99% or a failing check that did not answer value:false):',
    );
    for (const p of failedChecks) {
      console.log(
        `  ${p.db} ${p.scenario} c=${p.concurrency}: ${(p.expectedRatio * 100).toFixed(2)}%`,
      );
    }
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}

module.exports = { hotp, adminJwt, parseOptions, markdownTable };
