// The import rules of the repository, checked by dependency-cruiser (test/src/import-rules.test.ts
// runs it over every workspace): no import circle, type-only imports included; no relative import
// into another workspace; a workspace package imported only by its name and declared `exports`;
// packages never import bench/, test/ or examples/. docs/ARCHITECTURE.md gives the layers.
const WORKSPACE = '^(packages|examples|bench|test)/';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle (type-only imports count): move the shared types to a module both sides import.',
      severity: 'error',
      from: { path: WORKSPACE },
      to: { circular: true },
    },
    {
      name: 'no-relative-import-across-workspaces',
      comment: "A relative path into another workspace (its src/ or dist/): import it by its package name instead.",
      severity: 'error',
      from: { path: '^((packages|examples)/[^/]+|bench|test)/' },
      to: { dependencyTypes: ['local'], pathNot: ['^$1/'] },
    },
    {
      name: 'no-undeclared-subpath',
      comment: "A module that does not resolve through the package's declared `exports` (or at all).",
      severity: 'error',
      // The native engine requires tfjs-node's JavaScript from the built engine's folder at run time.
      from: { path: WORKSPACE, pathNot: '^packages/native-engine/src/native-engine\\.ts$' },
      // core's tfjs registrations are generated into dist/ by its build, next to the module importing them.
      to: { couldNotResolve: true, pathNot: '^\\./tfjs-registrations\\.js$' },
    },
    {
      name: 'packages-stay-below-bench-test-examples',
      comment: 'A package under packages/ must not depend on bench/, test/ or examples/.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(bench|test|examples)/' },
    },
  ],
  options: {
    // Built output is a leaf: an import into another workspace's dist/ shows up, its contents do not.
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    exclude: { path: '(^|/)(node_modules|\\.venv|\\.strata|bundle|results|\\.turbo)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default', 'node'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
