import { ConfigError, loadConfig } from '../config/app-config';

describe('DEMO_PAGE', () => {
  it.each([
    [{}, true],
    [{ DB_TYPE: 'sqlite', DEMO_PAGE: 'false' }, false],
    [{ DB_TYPE: 'mysql' }, false],
    [{ DB_TYPE: 'mariadb' }, false],
    [{ DB_TYPE: 'mysql', DEMO_PAGE: 'true' }, true],
    [{ DB_TYPE: 'MariaDB', DEMO_PAGE: '1' }, true],
  ])('%j → demoPage %s (on by default only with the embedded SQLite)', (env, on) => {
    expect(loadConfig(env).demoPage).toBe(on);
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => loadConfig({ DEMO_PAGE: 'maybe' })).toThrow(ConfigError);
  });
});
