import { builtinModules } from 'node:module';
import type { Metafile } from 'esbuild';

/** An import of a Node built-in module found in a bundle's inputs. */
export interface BuiltinImport {
  readonly importer: string;
  readonly module: string;
}

const BUILTINS = new Set(builtinModules);

/** Whether `specifier` names a Node built-in (`fs`, `node:fs`, `fs/promises`). */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

/**
 * Every import of a Node built-in that the bundle described by `metafile` kept: resolved into
 * it or left external. Imports a package's `browser` field maps to nothing (esbuild's
 * `(disabled):` modules, empty in the bundle) are not counted.
 */
export function nodeBuiltinImports(metafile: Metafile): BuiltinImport[] {
  const found: BuiltinImport[] = [];
  for (const [importer, input] of Object.entries(metafile.inputs)) {
    if (isNodeBuiltin(importer)) found.push({ importer: '(bundle)', module: importer });
    for (const imported of input.imports) {
      if (imported.path.startsWith('(disabled):')) continue;
      if (isNodeBuiltin(imported.path) || (imported.original !== undefined && isNodeBuiltin(imported.original) && imported.external === true)) {
        found.push({ importer, module: imported.original ?? imported.path });
      }
    }
  }
  return found;
}
