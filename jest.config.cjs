// Four projects mirror tests/: unit (pure, no I/O), integration (real DynamoDB
// Local / S3 stand-in / ASL), template (packaged CloudFormation), e2e (the
// embedded two-region runtime, browser included).
const transform = {
  '^.+\\.(t|j|mj|cj)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// ESM-only packages that must be transformed for jest's CommonJS mode.
const transformIgnorePatterns = ['/node_modules/(?!(@middy|jose)/)'];

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  setupFiles: ['<rootDir>/tests/support/polyfills.ts'],
  ...extra,
});

module.exports = {
  projects: [
    project('unit'),
    project('template'),
    project('integration', {
      globalSetup: '<rootDir>/tests/support/integration-global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/integration-global-teardown.ts',
    }),
    project('e2e', { setupFilesAfterEnv: ['<rootDir>/tests/support/e2e-timeout.ts'] }),
  ],
};
