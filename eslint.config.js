import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Import patterns of one app folder, whatever depth the importing file is at. */
const folder = (name) => [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`, `./${name}/*`];

/**
 * Each folder may import only what the layer table allows:
 * models import no services; controllers, routes and sockets import models (and routes
 * services) only as types; services import no express, socket.io, controllers, routes,
 * sockets or middlewares; jobs import no models; validators import no services; utils and
 * config import nothing of the app.
 */
function layerRules() {
  const restrict = (files, patterns, paths = []) => ({
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns, paths }] },
  });
  const none = (names, message) => ({ group: names.flatMap(folder), message });
  const typesOnly = (names, message) => ({ group: names.flatMap(folder), message, allowTypeImports: true });
  return [
    restrict(
      ['models/**'],
      [
        none(
          ['services', 'controllers', 'routes', 'sockets', 'middlewares', 'jobs', 'validators'],
          'Models import no other layer.',
        ),
      ],
    ),
    restrict(
      ['controllers/**', 'sockets/**'],
      [
        typesOnly(['models'], 'Controllers and socket handlers reach the database through services; models only as types.'),
        none(['routes', 'jobs'], 'Controllers and sockets do not import routes or jobs.'),
      ],
    ),
    restrict(
      ['routes/**'],
      [
        typesOnly(
          ['models', 'services'],
          'Routes wire controllers, middlewares and validators; models and services only as types.',
        ),
        none(['sockets', 'jobs'], 'Routes do not import sockets or jobs.'),
      ],
    ),
    restrict(
      ['services/**'],
      [
        none(
          ['controllers', 'routes', 'sockets', 'middlewares', 'jobs', 'validators'],
          'Services know no HTTP, sockets or jobs.',
        ),
      ],
      [
        { name: 'express', message: 'Services know no HTTP.', allowTypeImports: false },
        { name: 'socket.io', message: 'Services know no Socket.IO: publish through realtime.service.' },
      ],
    ),
    restrict(['jobs/**'], [none(['models', 'controllers', 'routes', 'sockets', 'middlewares'], 'Jobs call services only.')]),
    restrict(
      ['validators/**'],
      [
        typesOnly(['services'], 'Validators import no services (only the input types services take).'),
        none(['controllers', 'routes', 'sockets', 'middlewares', 'jobs'], 'Validators import no other layer.'),
      ],
    ),
    restrict(
      ['utils/**'],
      [
        none(
          ['config', 'models', 'services', 'controllers', 'routes', 'sockets', 'middlewares', 'jobs', 'validators'],
          'Utils are pure helpers: nothing of the app.',
        ),
      ],
    ),
    restrict(
      ['config/**'],
      [
        none(
          ['models', 'services', 'controllers', 'routes', 'sockets', 'middlewares', 'jobs', 'validators'],
          'Config imports nothing of the app.',
        ),
      ],
    ),
  ];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  // The web client runs in the browser: its globals, and React's rules of hooks.
  {
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  { files: ['web/public/sw.js'], languageOptions: { globals: { ...globals.serviceworker } } },
  // The layers of ARCHITECTURE.md, checked: a breach fails lint (and CI).
  ...layerRules(),
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
