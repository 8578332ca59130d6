import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TiqrApp, TiqrAppError } from './tiqr-app';

/**
 * Try the TiQR flow without a phone:
 *   npm run tiqr-app -- enroll '<tiqrenroll://…>'
 *   npm run tiqr-app -- login '<tiqrauth://…>' [--rfc] [--wrong]
 *   npm run tiqr-app -- list
 * Options: --state <file> (default data/tiqr-app.json).
 */

const USAGE =
  'usage: tiqr-app [--state <file>] enroll <tiqrenroll://…> | login <tiqrauth://…> [--rfc] [--wrong] | list';

function parseArgs(argv: string[]) {
  const positional: string[] = [];
  const flags = new Set<string>();
  let state = 'data/tiqr-app.json';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--state') {
      const v = argv[++i];
      if (!v) throw new TiqrAppError('--state needs a file');
      state = v;
    } else if (a.startsWith('--')) flags.add(a);
    else positional.push(a);
  }
  for (const f of flags)
    if (!['--rfc', '--wrong', '--help'].includes(f)) throw new TiqrAppError(`unknown option ${f}`);
  return { positional, flags, state };
}

function load(file: string): TiqrApp {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new TiqrApp();
    throw e;
  }
  return TiqrApp.fromJSON(JSON.parse(text));
}

function save(file: string, app: TiqrApp): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // The state holds OCRA secrets: owner-only, written atomically.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(app, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

async function main(argv: string[]): Promise<number> {
  const { positional, flags, state } = parseArgs(argv);
  const [cmd, arg] = positional;
  if (flags.has('--help') || !cmd) {
    console.log(USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const app = load(state);
  switch (cmd) {
    case 'enroll': {
      if (!arg) throw new TiqrAppError(USAGE);
      const r = await app.enroll(arg);
      console.log(`server: HTTP ${r.status} ${r.raw.trim()}`);
      if (!r.ok || !r.identity) {
        console.log('enrollment failed');
        return 1;
      }
      save(state, app);
      const i = r.identity;
      console.log(`enrolled ${i.identifier} at ${i.service.identifier} (${i.service.ocraSuite})`);
      return 0;
    }
    case 'login': {
      if (!arg) throw new TiqrAppError(USAGE);
      const r = await app.login(arg, {
        variant: flags.has('--rfc') ? 'rfc' : 'android',
        wrong: flags.has('--wrong'),
      });
      const left = r.attemptsLeft === undefined ? '' : ` (${r.attemptsLeft} attempts left)`;
      console.log(`server: HTTP ${r.status} ${r.raw.trim()}`);
      console.log(`${r.kind}${left}`);
      return r.kind === 'OK' ? 0 : 1;
    }
    case 'list':
      if (app.identities.length === 0) console.log('no identities');
      for (const i of app.identities)
        console.log(
          `${i.identifier} (${i.displayName}) at ${i.service.identifier} ${i.service.ocraSuite} → ${i.service.authenticationUrl}`,
        );
      return 0;
    default:
      throw new TiqrAppError(USAGE);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof TiqrAppError ? e.message : String(e));
    process.exitCode = 1;
  },
);
