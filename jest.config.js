// One Jest configuration, four tiers of test (see ../shared/STYLE.md "Tests"), one project each:
//   unit         x.spec.ts beside x.ts, pure code
//   integration  x.int-spec.ts, real Redis and PostgreSQL
//   e2e          apps/*/test/*.e2e-spec.ts and test/**/*.e2e-spec.ts, real processes over HTTP
//   model        test/model/*.model-spec.ts, random command sequences checked against a reference model
// `npm run test:unit|test:int|test:e2e|test:model` runs one tier; `npm run jest` runs them all.
// Real Redis and PostgreSQL are prepared once per run by test/setup/global-setup.ts, and only when
// the run has a test of a project that names it: a unit-only run never starts or touches them.
// (Jest runs a setup module shared by several projects once: docs/adr/0002.)
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // Type-checking is `npm run typecheck`'s job; tests only transpile (tsconfig isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/'],
};

const withRealInfra = {
  ...common,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};

module.exports = {
  // Integration and e2e tests start real servers and processes.
  testTimeout: 30_000,
  // The whole run, whichever projects it selects: every Node process of the run copies its output
  // into .local/test-runs/<run>/, and once every project's teardown ran, all of it is scanned for
  // secrets; a finding fails the run (docs/security.md, test/setup/run-log-check.ts).
  globalSetup: '<rootDir>/test/setup/run-log-setup.ts',
  globalTeardown: '<rootDir>/test/setup/run-log-check.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
    { ...withRealInfra, displayName: 'integration', testMatch: ['<rootDir>/**/*.int-spec.ts'] },
    { ...withRealInfra, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e-spec.ts'] },
    { ...withRealInfra, displayName: 'model', testMatch: ['<rootDir>/**/*.model-spec.ts'] },
  ],
};
