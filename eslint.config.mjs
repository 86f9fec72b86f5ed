// Lint rules: type-aware TypeScript checks, dependency hygiene, and a pure domain.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.cache/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: ['test/**', 'infra/**', 'eslint.config.mjs'] },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The domain is pure: no AWS SDK, no CDK, no adapters, no handlers.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
              message: 'The domain stays free of AWS SDK and CDK imports.',
            },
            {
              group: [
                '**/infra/**',
                '**/functions/**',
                '**/adapters/**',
                '@aws-lambda-powertools/*',
                '@middy/*',
              ],
              message: 'The domain must not depend on adapters, handlers or infra.',
            },
          ],
        },
      ],
    },
  },
  {
    // Lambda code imports zod as a namespace: the named `z` export keeps all of zod's locales in the bundle.
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message:
            "Use `import * as z from 'zod'`: the named z export puts all of zod's locales (~360 KB) into every Lambda bundle.",
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
