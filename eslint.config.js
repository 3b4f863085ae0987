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
    },
  },
  { files: ['src/renderer/**/*.tsx', 'src/renderer/**/*.ts'], ...reactHooks.configs.flat.recommended },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
)
