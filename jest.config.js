/**
 * Two projects: `unit` (pure modules, adapters against aws-sdk-client-mock, CDK templates)
 * and `integration` (real SDK clients over HTTP to the emulator and a real S3-compatible server).
 * Integration files end in `.int.test.ts`.
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  // Global, not per project: jest ignores testTimeout inside a project entry.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
    },
  ],
};
