/** Native ESM jest (DESIGN.md §5): ts-jest in ESM mode, `.js` stripped from relative imports. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/e2e/**/*.e2e.spec.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
