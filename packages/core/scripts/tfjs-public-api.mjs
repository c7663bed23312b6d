// Where each value that a tfjs-core module exports can be reached through tfjs-core's public
// entry: `mul` for ops/mul's `mul`, `backend_util.getAxesPermutation` for ops/axis_util's
// `getAxesPermutation`, nothing for an internal one such as `conv2DBackpropFilter`. The
// TypeScript checker follows tfjs-core's declaration files (one per JavaScript module) through
// every re-export, so a match is the same declaration, never merely the same name.
import ts from 'typescript';
import { join } from 'node:path';

/**
 * @param {string} distDir tfjs-core's dist folder
 * @returns {{ exportsOf(file: string): string[] | undefined, publicPath(file: string, name: string): string | undefined }}
 *   `exportsOf`: the value exports of a module (`file` is its .js path; undefined when the module
 *   has no declaration file); `publicPath`: the public expression of one of them.
 */
export function tfjsPublicApi(distDir) {
  const program = ts.createProgram([join(distDir, 'index.d.ts')], { noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const target = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const moduleOf = (jsFile) => {
    const source = program.getSourceFile(jsFile.replace(/\.js$/, '.d.ts'));
    return source && checker.getSymbolAtLocation(source);
  };

  const paths = new Map();
  const entry = checker.getExportsOfModule(moduleOf(join(distDir, 'index.js')));
  // Top-level names first, so `mul` wins over a namespace member holding the same function.
  for (const symbol of entry) if (!paths.has(target(symbol))) paths.set(target(symbol), symbol.name);
  for (const symbol of entry) {
    const resolved = target(symbol);
    if (!(resolved.flags & ts.SymbolFlags.ValueModule)) continue;
    for (const member of checker.getExportsOfModule(resolved)) {
      if (!paths.has(target(member))) paths.set(target(member), `${symbol.name}.${member.name}`);
    }
  }

  const valueExports = (jsFile) => {
    const module = moduleOf(jsFile);
    return module && checker.getExportsOfModule(module).filter((s) => target(s).flags & ts.SymbolFlags.Value);
  };
  return {
    exportsOf: (file) => valueExports(file)?.map((s) => s.name),
    publicPath: (file, name) => {
      const symbol = valueExports(file)?.find((s) => s.name === name);
      return symbol && paths.get(target(symbol));
    },
  };
}
