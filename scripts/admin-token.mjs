#!/usr/bin/env node
// Mints a management JWT (HS256) from the service's secret: AUTH_JWT_SECRET, AUTH_JWT_SECRET_FILE,
// or the secret the embedded default keeps in <DATA_DIR>/jwt.secret (created here if missing, the
// same way the server creates it on first start).
//
//   npm run --silent admin-token                       # admin, 1 hour
//   npm run --silent admin-token -- --role user --user alice --realm default --ttl 600
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

// The server's settings, as `npm start` reads them: .env fills in what the environment lacks.
if (existsSync('.env')) process.loadEnvFile('.env');

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'admin' },
    user: { type: 'string', default: 'admin' },
    realm: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  },
});

function secret() {
  if (process.env.AUTH_JWT_SECRET) return process.env.AUTH_JWT_SECRET;
  if (process.env.AUTH_JWT_SECRET_FILE)
    return readFileSync(process.env.AUTH_JWT_SECRET_FILE, 'utf8').trim();
  const dataDir = resolve(process.env.DATA_DIR || './data');
  const file = join(dataDir, 'jwt.secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    console.error(`created ${file}`);
  }
  return readFileSync(file, 'utf8').trim();
}

if (!['admin', 'user'].includes(values.role)) {
  console.error('--role must be admin or user');
  process.exit(2);
}
const claims = { role: values.role, username: values.user };
if (values.realm) claims.realm = values.realm;
let builder = new SignJWT(claims)
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setIssuedAt()
  .setExpirationTime(`${Number(values.ttl)}s`);
if (process.env.AUTH_JWT_ISSUER) builder = builder.setIssuer(process.env.AUTH_JWT_ISSUER);
if (process.env.AUTH_JWT_AUDIENCE) builder = builder.setAudience(process.env.AUTH_JWT_AUDIENCE);
console.log(await builder.sign(new TextEncoder().encode(secret())));
