// A new ESM TypeScript application in a folder of its own, as a user of the packages makes one.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCommand, type CommandResult } from './npm-command.js';

/** The compiler options of the app: strict, and the library declarations checked too. */
export const APP_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  skipLibCheck: false,
  types: ['node'],
  rootDir: 'src',
  outDir: 'dist',
} as const;

/** Writes package.json (ESM, private) and tsconfig.json into `dir`. */
export function createApp(dir: string, name: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: APP_COMPILER_OPTIONS, include: ['src'] }, null, 2)}\n`);
}

/**
 * `npm install` of `specs` (names, name@range, tarball paths) into the app, from the local npm
 * cache where it has them; never with --legacy-peer-deps or --force.
 */
export function npmInstall(dir: string, specs: readonly string[]): Promise<CommandResult> {
  return runCommand('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], { cwd: dir, timeoutMs: 300_000 });
}

/** The app's dependencies as its package.json records them. */
export function appDependencies(dir: string): Record<string, string> {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
}

/** Every installed copy of the package `name` under the app's node_modules, nested ones included. */
export function installedCopies(dir: string, name: string): { path: string; version: string }[] {
  const copies: { path: string; version: string }[] = [];
  const visit = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      for (const pkg of scoped ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry]) {
        const pkgDir = join(modules, pkg);
        if (pkg === name && existsSync(join(pkgDir, 'package.json'))) {
          copies.push({ path: relative(dir, pkgDir), version: (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version });
        }
        visit(join(pkgDir, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  return copies;
}

export interface Diagnostic {
  readonly file: string;
  readonly code: string;
  /** The whole report of the error, continuation lines included. */
  readonly text: string;
}

/** Compiles the app with its own TypeScript; returns the errors (none: it type-checks and dist/ is written). */
export async function compileApp(dir: string): Promise<{ diagnostics: Diagnostic[]; output: string }> {
  const result = await runCommand(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, timeoutMs: 300_000 });
  const diagnostics: Diagnostic[] = [];
  for (const line of result.stdout.split('\n')) {
    const head = /^(.+?)\(\d+,\d+\): error (TS\d+): /.exec(line);
    if (head) diagnostics.push({ file: head[1]!, code: head[2]!, text: line });
    else if (line.trim() !== '' && diagnostics.length > 0) {
      const last = diagnostics.pop()!;
      diagnostics.push({ ...last, text: `${last.text}\n${line}` });
    } else if (line.trim() !== '') diagnostics.push({ file: '', code: '', text: line });
  }
  if (result.code !== 0 && diagnostics.length === 0) diagnostics.push({ file: '', code: '', text: `tsc exited with ${result.code}: ${result.output}` });
  return { diagnostics, output: result.output };
}
