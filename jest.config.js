/** Jest projects: one per test layer (unit, integration, infra). */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

const common = {
  transform: { '^.+\\.(t|m?j)s$': swc },
  // @middy/core ships ESM only; let swc turn it into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/env.ts'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
  ],
  testTimeout: 60000,
  // The fault suite's summary table and the security checks' results, after the usual output.
  reporters: ['default', '<rootDir>/test/support/fault-summary-reporter.js'],
};
