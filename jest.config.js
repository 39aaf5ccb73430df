/** Native ESM jest (DESIGN.md §5): ts-jest in ESM mode, `.js` stripped from relative imports. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/e2e/**/*.e2e.spec.ts'],
  // Specs of PostgreSQL alone (`*.postgres.spec.ts`, `*.postgres.e2e.spec.ts`: its adapter, races of
  // transactions that only it runs at once, its outages) have nothing to run without TEST_DATABASE_URL,
  // and jest fails a file without a test: on a clone without PostgreSQL they are left out. CI sets it.
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.TEST_DATABASE_URL ? [] : ['\\.postgres(\\.e2e)?\\.spec\\.ts$'])],
  // Sized for a slow, busy machine: booting a test server (PGlite, embedded FHIR, realm keys) has
  // measured 7–10 s with both cores loaded, and some tests boot several.
  testTimeout: 120_000,
  maxWorkers: 2,
};
