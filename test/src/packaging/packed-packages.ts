// Packs the publishable packages of the repository as `npm publish` would, and unpacks them.
import { mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { mustRun } from './npm-command.js';

export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** The package's folder in the repository. */
  readonly sourceDir: string;
  /** The .tgz file. */
  readonly tarball: string;
  /** Where the tarball is unpacked: its `package/` folder. */
  readonly unpackedDir: string;
  /** Every file in the tarball, relative to its package root. */
  readonly files: readonly string[];
  /** Its package.json, as shipped. */
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly engines?: Record<string, string>;
  readonly sideEffects?: boolean | readonly string[];
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** packages/* folders with a package.json that is not private: what would be published. */
export function publishableDirs(root: string): string[] {
  const packages = join(root, 'packages');
  return readdirSync(packages)
    .map((name) => join(packages, name))
    .filter((dir) => existsSync(join(dir, 'package.json')) && !readManifest(dir).private)
    .sort();
}

export function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** `npm pack` of each folder (one npm run for all) into `dest`, each tarball unpacked beside it. */
export async function packPackages(root: string, dirs: readonly string[], dest: string): Promise<PackedPackage[]> {
  mkdirSync(dest, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', dest, ...dirs.flatMap((dir) => ['--workspace', relative(root, dir)])];
  const { stdout } = await mustRun('npm', args, { cwd: root });
  const reports = JSON.parse(stdout) as { name: string; version: string; filename: string; files: { path: string }[] }[];
  const packed: PackedPackage[] = [];
  for (const report of reports) {
    const sourceDir = dirs.find((dir) => readManifest(dir).name === report.name);
    if (!sourceDir) throw new Error(`npm pack reported ${report.name}, which is none of ${dirs.join(', ')}`);
    const tarball = join(dest, report.filename);
    const unpackTo = join(dest, report.filename.replace(/\.tgz$/, ''));
    mkdirSync(unpackTo, { recursive: true });
    await mustRun('tar', ['-xzf', tarball, '-C', unpackTo], { cwd: dest });
    const unpackedDir = join(unpackTo, 'package');
    packed.push({ name: report.name, version: report.version, sourceDir, tarball, unpackedDir, files: report.files.map((f) => f.path).sort(), manifest: readManifest(unpackedDir) });
  }
  return packed.sort((a, b) => a.name.localeCompare(b.name));
}
