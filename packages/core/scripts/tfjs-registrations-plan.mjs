// Which of tfjs-core's modules the registrations bundle contains, and which it takes from the
// host's tfjs-core instead. It contains the gradient configs, the chained ops, and those helpers
// of theirs that tfjs-core does not export (conv2DBackpropFilter, maxPoolGrad...); every other
// module they import becomes a facade: a few lines that re-export the same values from the
// public entry `@tensorflow/tfjs-core`. So the engine, the Tensor class, the environment and the
// kernel and gradient registries are the host's, never a copy.
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Module paths (relative to dist/) of the registration entry points tfjs-core ships. */
export const REGISTRATION_ENTRIES = ['register_all_gradients.js', 'public/chained_ops/register_all_chained_ops.js'];

/** True for a module that registers something: a gradient config, a chained op, an entry point. */
export function isRegistrationModule(distDir, file) {
  const path = relative(distDir, file);
  return REGISTRATION_ENTRIES.includes(path) || /^(gradients|public\/chained_ops)\/[^/]+\.js$/.test(path);
}

/**
 * Values that tfjs-core's internal modules export and its public entry does not, as the public
 * expression (over the namespace `tfc`) that tfjs-core itself defines them to equal: `ENGINE` is
 * what `engine()` returns, and the Tensor class the public `Tensor`.
 */
const PUBLIC_EQUIVALENTS = {
  'engine.js': { ENGINE: 'tfc.engine()' },
  'tensor.js': { getGlobalTensorClass: '() => tfc.Tensor' },
};

/**
 * Values that the registration modules receive from the staging module instead of tfjs-core, so
 * that importing the bundle collects the gradient configs and chained ops rather than installing
 * them; @strata/core installs those the host lacks. Per module: the staged names, and the
 * importers (paths relative to dist/) that get them.
 */
export const STAGED = {
  'kernel_registry.js': { names: ['registerGradient'], importers: /^register_all_gradients\.js$/ },
  'tensor.js': { names: ['getGlobalTensorClass'], importers: /^public\/chained_ops\// },
};

/** 'staged' where `importer` gets staged values from `file`, else 'public'. */
export function facadeVariant(distDir, importer, file) {
  const staged = STAGED[relative(distDir, file)];
  return staged && importer && staged.importers.test(relative(distDir, importer)) ? 'staged' : 'public';
}

/** The value names each import or re-export of a JavaScript module takes, by resolved file. */
function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const found = [];
  for (const statement of source.statements) {
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const names = [];
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) names.push('default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.push((e.propertyName ?? e.name).text);
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) for (const e of clause.elements) names.push((e.propertyName ?? e.name).text);
      else names.push('*');
    } else {
      continue;
    }
    found.push({ file: resolveModule(dirname(file), specifier.text), names });
  }
  return found;
}

/** tfjs-core's ESM files import without extensions: './gradients/Abs_grad' is Abs_grad.js. */
export function resolveModule(dir, specifier) {
  const base = resolve(dir, specifier);
  return base.endsWith('.js') ? base : `${base}.js`;
}

/**
 * @param {string} distDir tfjs-core's dist folder
 * @param {ReturnType<import('./tfjs-public-api.mjs').tfjsPublicApi>} api
 * @returns {{ bundled: Set<string>, facades: Map<string, Map<string, string>> }} the bundled
 *   files, and per facade (`variant:path`, the path relative to dist/) each export with its
 *   expression over the namespace `tfc`, or 'staged'.
 */
export function planRegistrationsBundle(distDir, api) {
  const bundled = new Set(REGISTRATION_ENTRIES.map((p) => join(distDir, p)));
  const facades = new Map();
  const queue = [...bundled];
  while (queue.length > 0) {
    const importer = queue.shift();
    for (const { file, names } of importsOf(importer)) {
      const variant = facadeVariant(distDir, importer, file);
      const path = relative(distDir, file);
      const wanted = names.includes('*') ? api.exportsOf(file) : names;
      const expressions = wanted?.map((name) => {
        if (variant === 'staged' && STAGED[path].names.includes(name)) return [name, 'staged'];
        const equivalent = PUBLIC_EQUIVALENTS[path]?.[name];
        if (equivalent) return [name, equivalent];
        const publicPath = api.publicPath(file, name);
        return [name, publicPath && `tfc.${publicPath}`];
      });
      if (!isRegistrationModule(distDir, file) && expressions && expressions.every(([, e]) => e)) {
        const key = `${variant}:${path}`;
        const facade = facades.get(key) ?? new Map();
        for (const [name, expression] of expressions) facade.set(name, expression);
        facades.set(key, facade);
      } else if (!bundled.has(file)) {
        bundled.add(file);
        queue.push(file);
      }
    }
  }
  // A module some importer needs bundled is bundled for all of them (one copy of its code).
  for (const key of facades.keys()) if (bundled.has(join(distDir, key.slice(key.indexOf(':') + 1)))) facades.delete(key);
  return { bundled, facades };
}
