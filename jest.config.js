const shared = require('./jest.transform');

/** Unit tests: plain classes next to the code they test. */
module.exports = {
  ...shared,
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src'],
  testRegex: '\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};
