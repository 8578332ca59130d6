import { ConfigError, loadConfig } from './app-config';
import { resolveKeyMaterial } from './key-material';

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('configuration problems (README "Configuration")', () => {
  it('reports every problem at once, one line each naming the variable', () => {
    const problems = problemsOf(() =>
      loadConfig({ PORT: '70000', DB_TYPE: 'postgres', TRUST_PROXY: 'maybe', PUSH_WAIT: '61' }),
    );
    expect(problems).toEqual([
      "DB_TYPE must be one of sqlite, mysql, mariadb, got 'postgres'",
      "PORT must be a port number from 0 to 65535, got '70000'",
      "TRUST_PROXY must be true or false, got 'maybe'",
      'PUSH_WAIT must be at most 60 seconds, got 61',
    ]);
    for (const p of problems) expect(p).not.toContain('\n');
  });

  it('DEFAULT_MAX_FAILCOUNT takes any INT (privacyIDEA scripts set 1000000)', () => {
    expect(loadConfig({ DEFAULT_MAX_FAILCOUNT: '2147483647' }).tokens.maxFail).toBe(2147483647);
    expect(problemsOf(() => loadConfig({ DEFAULT_MAX_FAILCOUNT: '2147483648' }))).toEqual([
      "DEFAULT_MAX_FAILCOUNT must be an integer from 1 to 2147483647, got '2147483648'",
    ]);
  });

  it('key material: missing, short and unreadable keys are all reported', () => {
    const config = loadConfig({
      DB_TYPE: 'mysql',
      AUTH_JWT_SECRET_FILE: '/nonexistent/jwt.secret',
    });
    expect(problemsOf(() => resolveKeyMaterial(config, () => undefined))).toEqual([
      'ENCRYPTION_KEY or ENCRYPTION_KEY_FILE must be set with a MySQL/MariaDB database',
      'AUTH_JWT_SECRET_FILE names a file that cannot be read (ENOENT): /nonexistent/jwt.secret',
    ]);
    const short = loadConfig({ ENCRYPTION_KEY: 'abcd', AUTH_JWT_SECRET: 'short' });
    expect(problemsOf(() => resolveKeyMaterial(short, () => undefined))).toEqual([
      'ENCRYPTION_KEY must hold 32 bytes as 64 hex digits or base64',
      'AUTH_JWT_SECRET must be at least 32 bytes long, got 5 bytes',
    ]);
  });
});
