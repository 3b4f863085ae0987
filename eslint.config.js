import js from '@eslint/js'
import globals from 'globals'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'
import { ipcOwners, layering } from './eslint/layering.js'

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { local: { rules: { layering, 'ipc-owners': ipcOwners } } },
    rules: {
      'local/layering': 'error',
      'local/ipc-owners': 'error',
      // noUncheckedIndexedAccess makes every index access optional; a `!` marks where the code knows
      // better (a regex group that matched, a key just set) and reads better than a dead branch.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Counts, ports and flags read naturally in messages; objects and nullish values still may not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Handlers and ciphers implement Promise-returning interfaces; `async () => value` is the plain way to.
      '@typescript-eslint/require-await': 'off',
      // The JSON-file stores and caches are plain records keyed by name; deleting a key is their API.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // A procedure step returns a note or nothing: `Promise<string | void>` says exactly that.
      '@typescript-eslint/no-invalid-void-type': 'off',
    },
  },
  {
    // Teardown runs even when set-up failed before assigning: its guards are needed though the types say otherwise.
    files: ['test/**/*.ts'],
    // Vitest's asymmetric matchers (expect.stringContaining …) and JSON.parse of fixtures are typed any.
    rules: {
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  { files: ['src/renderer/**/*.tsx', 'src/renderer/**/*.ts'], ...reactHooks.configs.flat.recommended },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
)
