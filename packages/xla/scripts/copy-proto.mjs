// Copies the protocol into dist/proto so the installed package loads it at runtime.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(pkg, 'dist', 'proto'), { recursive: true });
copyFileSync(join(pkg, '..', 'xla-server', 'proto', 'strata_xla.proto'), join(pkg, 'dist', 'proto', 'strata_xla.proto'));
