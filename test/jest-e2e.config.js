const shared = require('../jest.transform');

/** End-to-end tests: the whole app over HTTP, on SQLite by default or MySQL with DB_TYPE=mysql. */
module.exports = {
  ...shared,
  testEnvironment: 'node',
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // DB_TYPE=mysql: a database of its own per run, dropped afterwards.
  globalSetup: '<rootDir>/test/mysql-global-setup.ts',
  globalTeardown: '<rootDir>/test/mysql-global-teardown.ts',
  testTimeout: 30000,
};
