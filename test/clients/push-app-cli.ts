import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PushApp, PushAppError, type PushReply, type PushRequest } from './push-app';

/**
 * Try the push flow without a phone:
 *   npm run push-app -- enroll '<otpauth://pipush/…>' [--fbtoken T]
 *   npm run push-app -- poll [--serial S]
 *   npm run push-app -- accept <nonce|--first>
 *   npm run push-app -- decline <nonce|--first> [--cancel]
 *   npm run push-app -- answer <nonce|--first> --presence X
 *   npm run push-app -- fbtoken <new token> --serial S
 *   npm run push-app -- list
 * Options: --state <file> (default data/push-app.json).
 */

const USAGE = `usage: push-app [--state <file>] <command>
  enroll <otpauth://pipush/…> [--fbtoken T]
  poll [--serial S]
  accept <nonce|--first>
  decline <nonce|--first> [--cancel]
  answer <nonce|--first> --presence X
  fbtoken <new token> --serial S
  list`;

const VALUE_OPTS = ['--state', '--serial', '--presence', '--fbtoken'];
const FLAGS = ['--first', '--cancel', '--help'];

function parseArgs(argv: string[]) {
  const positional: string[] = [];
  const flags = new Set<string>();
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (VALUE_OPTS.includes(a)) {
      const v = argv[++i];
      if (v === undefined) throw new PushAppError(`${a} needs a value`);
      values[a] = v;
    } else if (FLAGS.includes(a)) flags.add(a);
    else if (a.startsWith('--')) throw new PushAppError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { positional, flags, values, state: values['--state'] ?? 'data/push-app.json' };
}

function load(file: string): PushApp {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new PushApp();
    throw e;
  }
  return PushApp.fromJSON(JSON.parse(text));
}

function save(file: string, app: PushApp): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // The state holds private keys: owner-only, written atomically.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(app, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

function server(r: PushReply): string {
  const msg = r.error?.message ?? (r.json === undefined ? r.raw.slice(0, 200) : undefined);
  return (
    `server: HTTP ${r.status}` +
    (msg !== undefined ? ` ${msg}` : ` value=${JSON.stringify(r.value)}`)
  );
}

function describe(r: PushRequest): string {
  const extra = r.possibleAnswers
    ? ` options ${r.possibleAnswers.join(',')}`
    : r.displayCode !== undefined
      ? ` code ${r.displayCode}`
      : '';
  return `${r.nonce} ${r.serial} "${r.title}: ${r.question}"${extra}`;
}

function pick(app: PushApp, arg: string | undefined, first: boolean): PushRequest {
  if (first) {
    const r = app.pending()[0];
    if (!r) throw new PushAppError('no pending requests (poll first)');
    return r;
  }
  if (!arg) throw new PushAppError(USAGE);
  return app.request(arg);
}

async function main(argv: string[]): Promise<number> {
  const { positional, flags, values, state } = parseArgs(argv);
  const [cmd, arg] = positional;
  if (flags.has('--help') || !cmd) {
    console.log(USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const app = load(state);
  if (values['--fbtoken'] !== undefined && cmd === 'enroll')
    app.firebaseToken = values['--fbtoken'];
  switch (cmd) {
    case 'enroll': {
      if (!arg) throw new PushAppError(USAGE);
      console.log('generating a 4096-bit RSA key…');
      const r = await app.enroll(arg);
      console.log(server(r));
      save(state, app); // keep the token even after a failure: the app lets the user retry
      if (!r.ok) {
        console.log(`rollout failed: ${r.failure}`);
        return 1;
      }
      console.log(`enrolled ${r.token.serial} (${r.token.issuer}) → ${r.token.url}`);
      return 0;
    }
    case 'poll': {
      const serials = values['--serial']
        ? [values['--serial']]
        : app.tokens.filter((t) => t.rolledOut).map((t) => t.serial);
      if (serials.length === 0) throw new PushAppError('no rolled-out push tokens');
      let failed = false;
      for (const s of serials) {
        const r = await app.poll(s);
        if (r.failure) {
          failed = true;
          console.log(`${s}: ${server(r)} — ${r.failure}`);
        }
        for (const x of r.rejected) console.log(`${s}: dropped a challenge: ${x.reason}`);
      }
      save(state, app);
      const pending = app.pending();
      if (pending.length === 0) console.log('no pending requests');
      for (const r of pending) console.log(describe(r));
      return failed ? 1 : 0;
    }
    case 'accept':
    case 'decline':
    case 'answer': {
      const req = pick(app, arg, flags.has('--first'));
      let r;
      if (cmd === 'accept') r = await app.accept(req);
      else if (cmd === 'decline')
        r = await app.decline(req, flags.has('--cancel') ? 'cancelled' : 'unknown_trigger');
      else {
        const presence = values['--presence'];
        if (presence === undefined) throw new PushAppError('answer needs --presence X');
        r = await app.answer(req, presence);
      }
      save(state, app);
      console.log(server(r));
      return r.delivered && r.value === true ? 0 : 1;
    }
    case 'fbtoken': {
      const serial = values['--serial'];
      if (!arg || !serial) throw new PushAppError(USAGE);
      const r = await app.updateFirebaseToken(serial, arg);
      save(state, app);
      console.log(server(r));
      return r.ok ? 0 : 1;
    }
    case 'list': {
      if (app.tokens.length === 0) console.log('no push tokens');
      for (const t of app.tokens)
        console.log(
          `${t.serial} ${t.rolledOut ? 'enrolled' : 'not rolled out'}${t.pollOnly ? ' poll-only' : ''} ${t.issuer}/${t.label} → ${t.url}`,
        );
      for (const r of app.pending()) console.log(`pending ${describe(r)}`);
      return 0;
    }
    default:
      throw new PushAppError(USAGE);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof PushAppError ? e.message : String(e));
    process.exitCode = 1;
  },
);
