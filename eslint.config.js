import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', 'oclif.manifest.json', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Command files load fast: heavy modules only inside run() (oclif-anchors §8.2).
    files: ['src/commands/**/*.ts', 'packages/*/src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['listr2', 'got', 'node-ssh', 'enquirer', 'ajv', 'js-yaml', '@grpc/grpc-js'].map((name) => ({ name, message: 'Import heavy modules inside run() with await import().' })) }],
    },
  },
  {
    // plugin-edge floors: templates render with lib's pieces; lib never reaches up into templates.
    files: ['packages/plugin-edge/src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/templates/*', '**/templates'], message: 'lib/ sits below templates/: move the shared piece down into lib/.' }] }],
    },
  },
);
