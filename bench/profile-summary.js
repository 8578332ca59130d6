#!/usr/bin/env node
'use strict';
/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by origin
 * (this project's src/, each node_modules package, Node internals, GC, idle).
 *
 *   node bench/profile-summary.js <file.cpuprofile> [--top 30] [--from-us N --to-us N]
 *   node bench/profile-summary.js <file.cpuprofile> --results bench/results/<run>.json [--point 0]
 *
 * With --results, only the samples taken during that point's measured window count (both
 * processes use the same monotonic clock), so start-up and seeding drop out.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');

function origin(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return url; // node:internal/crypto/hash, node:_http_server, ...
  const u = url.replace(/^file:\/\//, '');
  const dist = u.lastIndexOf('/dist/src/');
  if (dist >= 0)
    return `dist/src/${u
      .slice(dist + '/dist/src/'.length)
      .split('/')[0]
      .replace(/\.js$/, '')}`;
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (u.startsWith(ROOT)) return path.relative(ROOT, u).split('/').slice(0, 3).join('/');
  return u;
}

function shortUrl(url) {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  const dist = u.lastIndexOf('/dist/src/');
  if (dist >= 0) return u.slice(dist + 1);
  return u.startsWith(ROOT) ? path.relative(ROOT, u) : u;
}

function summarise(profile, { fromUs, toUs } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (fromUs !== undefined && t < fromUs) continue;
    if (toUs !== undefined && t > toUs) continue;
    // The delta before a sample is the time attributed to it (as Chrome DevTools does).
    const next = profile.timeDeltas[i + 1] ?? dt;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + next);
    total += next;
  }
  const fnMap = new Map();
  const originMap = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    const key = `${name} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    const o = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : origin(cf.url);
    fnMap.set(key, { key, origin: o, us: (fnMap.get(key)?.us ?? 0) + us });
    originMap.set(o, (originMap.get(o) ?? 0) + us);
  }
  const fns = [...fnMap.values()].sort((a, b) => b.us - a.us);
  const origins = [...originMap.entries()]
    .map(([o, us]) => ({ origin: o, us }))
    .sort((a, b) => b.us - a.us);
  return { totalUs: total, fns, origins };
}

/** Inclusive ("total") time of frames matching a predicate, counting each sample once per stack. */
function inclusive(profile, match, { fromUs, toUs } = {}) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const acc = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (fromUs !== undefined && t < fromUs) continue;
    if (toUs !== undefined && t > toUs) continue;
    const next = profile.timeDeltas[i + 1] ?? dt;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id).callFrame;
      const key = match(cf);
      if (key && !seen.has(key)) {
        seen.add(key);
        acc.set(key, (acc.get(key) ?? 0) + next);
      }
    }
  }
  return [...acc.entries()].map(([key, us]) => ({ key, us })).sort((a, b) => b.us - a.us);
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '30' },
      'from-us': { type: 'string' },
      'to-us': { type: 'string' },
      results: { type: 'string' },
      point: { type: 'string', default: '0' },
    },
  });
  if (positionals.length !== 1) {
    console.error(
      'usage: node bench/profile-summary.js <file.cpuprofile> [--top N] [--results run.json --point i]',
    );
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
  let window = {
    fromUs: values['from-us'] ? Number(values['from-us']) : undefined,
    toUs: values['to-us'] ? Number(values['to-us']) : undefined,
  };
  if (values.results) {
    const run = JSON.parse(fs.readFileSync(values.results, 'utf8'));
    const p = run.points[Number(values.point)];
    window = { fromUs: p.monotonicUs.start, toUs: p.monotonicUs.end };
    console.log(`window: ${p.db} ${p.scenario} c=${p.concurrency} (${p.requests} requests)`);
  }
  const top = Number(values.top);
  const s = summarise(profile, window);
  const ms = (us) => (us / 1000).toFixed(0).padStart(7);
  const pct = (us) => ((us / s.totalUs) * 100).toFixed(1).padStart(5);
  console.log(`profiled time: ${(s.totalUs / 1e6).toFixed(2)} s (main thread only)\n`);
  console.log('self time by origin');
  for (const o of s.origins.slice(0, top)) console.log(`${ms(o.us)} ms ${pct(o.us)}%  ${o.origin}`);
  console.log('\nself time by function');
  for (const f of s.fns.slice(0, top))
    console.log(`${ms(f.us)} ms ${pct(f.us)}%  ${f.key}  [${f.origin}]`);
  const src = inclusive(
    profile,
    (cf) => {
      const u = shortUrl(cf.url);
      return u.startsWith('dist/src/')
        ? `${cf.functionName || '(anonymous)'} ${u}:${cf.lineNumber + 1}`
        : undefined;
    },
    window,
  );
  console.log('\ninclusive time of project functions (dist/src)');
  for (const f of src.slice(0, top)) console.log(`${ms(f.us)} ms ${pct(f.us)}%  ${f.key}`);
}

if (require.main === module) main();

module.exports = { summarise, inclusive };
