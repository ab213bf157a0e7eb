// typescript-eslint's type-checked recommendations over everything tsconfig.json
// compiles (npm run lint names the folders), plus the build scripts. A rule
// turned off or tuned here says why in one line.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NO_UNSAFE_OFF = Object.fromEntries(
  ['assignment', 'argument', 'call', 'member-access', 'return'].map((r) => [
    `@typescript-eslint/no-unsafe-${r}`,
    'off',
  ]),
);

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', '.cache/', 'test-results/', 'test/fixtures/', 'native/', '**/*.d.ts'],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.json's program for the .ts files; the .mjs build scripts (not in it) get a default project.
        projectService: { allowDefaultProject: ['scripts/*.mjs', 'eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Shapes print as "1,2,3" on purpose; an exhaustive switch's default prints the `never` that got past the types.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowArray: true, allowNever: true }],
      // Async methods implement Promise-returning interfaces (Stepper, save handlers): a throw stays a rejection.
      '@typescript-eslint/require-await': 'off',
      // The bundles are CommonJS: lazy require() of optional or side-effecting modules (tfjs-node, the wasm backend, the built addon) is deliberate.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    // TypeScript itself reports undefined names in .ts files (typescript-eslint's advice).
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
    // Plain JavaScript: untyped parameters and JSON.parse results are `any`, with no annotation to give them.
    rules: NO_UNSAFE_OFF,
  },
);
