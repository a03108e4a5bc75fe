/**
 * Two projects: `unit` (pure modules, adapters against aws-sdk-client-mock, CDK templates)
 * and `integration` (real SDK clients over HTTP to the emulator and a real S3-compatible server).
 * Integration files end in `.int.test.ts`.
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022' } }];
// dt-sql-parser (Trino grammar for the Athena query checks) and its antlr4-c3 ship ES modules only; jest's
// CommonJS runtime needs them compiled, like the TypeScript sources.
const transform = { '^.+\\.ts$': swc, '/node_modules/(dt-sql-parser|antlr4-c3)/.+\\.m?js$': swc };
const transformIgnorePatterns = ['/node_modules/(?!(dt-sql-parser|antlr4-c3)/)'];

/** @type {import('jest').Config} */
module.exports = {
  // Global, not per project: jest ignores testTimeout inside a project entry.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
    },
  ],
};
