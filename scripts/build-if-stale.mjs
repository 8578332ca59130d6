// prestart: builds dist/ only when it is missing or older than a source file, so `npm start` on a
// current build starts at once. `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUT = 'dist/src/main.js';
/** Written last (postbuild): a build that stopped half-way counts as missing. */
const LAST_OUTPUT = 'dist/src/static/logo.png';
const INPUTS = ['src', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time under `path`; directories count too (files added, removed). */
function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return { time: st.mtimeMs, path };
  let best = { time: st.mtimeMs, path };
  for (const entry of readdirSync(path)) {
    const n = newest(join(path, entry));
    if (n.time > best.time) best = n;
  }
  return best;
}

function staleReason() {
  if (!existsSync(OUTPUT) || !existsSync(LAST_OUTPUT)) return 'no complete build in dist/';
  const built = statSync(OUTPUT).mtimeMs;
  for (const input of INPUTS) {
    if (!existsSync(input)) continue;
    const n = newest(input);
    if (n.time > built) return `${n.path} changed since the last build`;
  }
  return undefined;
}

const reason = staleReason();
if (reason) {
  console.log(`building dist/ (${reason})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
