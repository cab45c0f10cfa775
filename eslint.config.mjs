// make lint's JavaScript check: eslint's recommended rules (no-undef, no-unused-vars and the
// rest) over the site's scripts and the CloudFront Function. eslint, @eslint/js and globals are
// the versions pinned in infra/lint/package-lock.json, which make installs into .tools/js
// (npm ci), so this file resolves them from there.
import { createRequire } from 'node:module';

const require = createRequire(new URL('./.tools/js/', import.meta.url));
const js = require('@eslint/js');
const globals = require('globals');

const strict = {
  ...js.configs.recommended.rules,
  'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
  eqeqeq: ['error', 'always'],
  'no-implicit-globals': 'error',
  'prefer-const': 'error',
  'no-var': 'error',
};

export default [
  { ignores: ['infra/local/vendor/**', '.tools/**', '.venv/**', '.venv-3.12/**', '.aws-sam/**', 'build/**'] },
  {
    // the pages' ES modules (no build step: the browser loads them as written)
    files: ['web/js/**/*.js'],
    ignores: ['web/js/boot.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser } },
    rules: strict,
  },
  {
    // boot.js: a classic script loaded in <head>
    files: ['web/js/boot.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: { ...globals.browser } },
    rules: strict,
  },
  {
    // the service worker: a classic script in the worker's global scope
    files: ['web/sw.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: { ...globals.serviceworker } },
    rules: { ...strict, 'no-implicit-globals': 'off' },
  },
  {
    // the CloudFront Function (cloudfront-js-2.0): the runtime calls the top-level handler
    files: ['infra/cloudfront/site.js'],
    languageOptions: { ecmaVersion: 2021, sourceType: 'script', globals: {} },
    rules: {
      ...js.configs.recommended.rules,
      'no-unused-vars': ['error', { varsIgnorePattern: '^handler$' }],
      eqeqeq: ['error', 'always'],
    },
  },
];
