// One Jest run, three kinds of test (see ../shared/STYLE.md "Tests"):
//   unit         x.spec.ts beside x.ts, pure code
//   integration  x.int-spec.ts, real Redis and PostgreSQL
//   e2e          apps/*/test/*.e2e-spec.ts and test/**/*.e2e-spec.ts, real processes over HTTP
// Real Redis and PostgreSQL are prepared once for the whole run in test/setup/global-setup.ts.
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

module.exports = {
  // Integration and e2e tests start real servers and processes.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e-spec.ts'] },
  ],
};
