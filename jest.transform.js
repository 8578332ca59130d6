// Shared Jest transform. NestJS 12 and a few of its dependencies ship ESM only; Jest on
// Node 20 cannot require() ESM, so those packages are transformed to CommonJS by swc.
// When a new dependency turns ESM-only, tests fail with "Must use import to load ES Module":
// add its name here.
const ESM_PACKAGES = [
  '@nestjs',
  'file-type',
  'uid',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  'load-esm',
  'cookie',
  'jose',
  'content-disposition',
];

module.exports = {
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_PACKAGES.join('|')})/).*/node_modules/`],
};
