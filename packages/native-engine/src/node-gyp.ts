import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { StrataError, quote } from '@strata/core';

/** Where to look for node-gyp; each field defaults to the real one. */
export interface NodeGypLookup {
  /** Resolves a module as this package does: the project's own node-gyp, if it installed one. */
  readonly resolve?: (id: string) => string;
  /** The environment: npm sets `npm_config_node_gyp` to its bundled node-gyp for `npx` and `npm run`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly exists?: (path: string) => boolean;
}

/** The node-gyp script the builder runs, and whose copy it is. */
export interface NodeGyp {
  readonly script: string;
  /** 'project': a node-gyp installed beside Strata; 'npm': the one npm bundles. */
  readonly source: 'project' | 'npm';
}

/**
 * Finds node-gyp, which compiles tfjs-node's binding. It is an optional peer dependency of
 * this package, not a runtime one: only `strata-native build` needs it. A project's own copy
 * wins; otherwise the copy npm bundles, which npm names in `npm_config_node_gyp` when it runs
 * the command (`npx strata-native build`, an npm script).
 *
 * @example
 * const { script } = locateNodeGyp();   // '/app/node_modules/node-gyp/bin/node-gyp.js'
 */
export function locateNodeGyp(lookup: NodeGypLookup = {}): NodeGyp {
  const resolve = lookup.resolve ?? createRequire(import.meta.url).resolve;
  try {
    return { script: resolve('node-gyp/bin/node-gyp.js'), source: 'project' };
  } catch {
    // Not installed beside Strata: try npm's own.
  }
  const fromNpm = (lookup.env ?? process.env)['npm_config_node_gyp'];
  if (fromNpm && (lookup.exists ?? existsSync)(fromNpm)) return { script: fromNpm, source: 'npm' };
  const named = fromNpm ? ` (npm_config_node_gyp names ${quote(fromNpm)}, which does not exist)` : '';
  throw new StrataError('strategy-unavailable', `node-gyp, which compiles the native engine's binding, is not installed${named}.`, {
    value: fromNpm,
    fix: 'install it in your project (npm install --save-dev node-gyp), or run the build through npm (npx strata-native build), which provides the node-gyp bundled with npm.',
  });
}
