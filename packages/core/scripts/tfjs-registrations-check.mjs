// Fails the build when the registrations bundle holds tfjs-core state of its own (an engine, a
// Tensor class, an environment, a registry, the global namespace) or imports anything but the
// host's `@tensorflow/tfjs-core`: a second copy would register into a registry the host never
// reads, or put methods on a Tensor class the host never makes.
import { readFileSync } from 'node:fs';

const DEFINITIONS = [
  /\bclass (Engine|Tensor|Variable|Environment|Profiler|Logger)\b/,
  /\bfunction (getGlobalNamespace|getGlobalMap|getGlobal|getOrMakeEngine|setEnvironmentGlobal|registerKernel|registerBackend)\s*\(/,
  /\b(kernelRegistry|gradRegistry|ENV)\s*=/,
];

/** @param {string} file the built bundle  @param {import('esbuild').Metafile} metafile its build's metafile */
export function checkRegistrationsBundle(file, metafile) {
  const code = readFileSync(file, 'utf8');
  const found = DEFINITIONS.map((pattern) => code.match(pattern)?.[0]).filter(Boolean);
  if (found.length > 0) {
    throw new Error(`${file} defines tfjs-core internals of its own (${found.join('; ')}); they must come from @tensorflow/tfjs-core.`);
  }
  const imports = Object.values(metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const foreign = [...new Set(imports)].filter((p) => p !== '@tensorflow/tfjs-core');
  if (foreign.length > 0) throw new Error(`${file} imports ${foreign.join(', ')}; it may import only @tensorflow/tfjs-core.`);
}
