import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** What the FLOP/s peak of this machine is computed from. */
export interface CpuInfo {
  readonly model: string;
  /** Physical cores the process can use (logical CPUs / threads per core). */
  readonly cores: number;
  readonly logicalCpus: number;
  readonly ghz: number;
  /** The SIMD flags that decide the FLOPs per cycle: avx512f, avx2, fma, avx, sse2. */
  readonly flags: readonly string[];
}

/** The peak and how it was worked out. */
export interface CpuPeak {
  readonly gflops: number;
  readonly flopsPerCycle: number;
  /** e.g. 'AVX-512 + FMA: 2 FMA units x 16 float32 lanes x 2 FLOPs'. */
  readonly unit: string;
  /** e.g. '2 cores x 2.60 GHz x 64 FLOPs/cycle = 332.8 GFLOP/s (float32)'. */
  readonly formula: string;
}

const SIMD_FLAGS = ['avx512f', 'avx2', 'fma', 'avx', 'sse2'] as const;

/**
 * Parses the text of /proc/cpuinfo. Cores are physical: 'cpu cores' per 'physical id' when the
 * file says so, else the processor count divided by siblings/cores (hyper-threads share FMA units).
 */
export function parseCpuInfo(text: string, fallbackLogical = 1): CpuInfo {
  const blocks = text.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const field = (block: string, name: string): string | undefined => {
    const match = block.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'));
    return match?.[1]?.trim();
  };
  const first = blocks[0] ?? '';
  const logical = blocks.length || fallbackLogical;
  const sockets = new Set(blocks.map((b) => field(b, 'physical id') ?? '0')).size || 1;
  const coresPerSocket = Number(field(first, 'cpu cores'));
  const siblings = Number(field(first, 'siblings'));
  let cores = logical;
  if (coresPerSocket > 0 && siblings > 0) cores = Math.min(logical, Math.max(1, Math.round((logical * coresPerSocket) / siblings)));
  else if (coresPerSocket > 0) cores = Math.min(logical, coresPerSocket * sockets);
  const mhz = Number(field(first, 'cpu MHz'));
  const modelName = field(first, 'model name') ?? 'unknown CPU';
  // The nominal frequency in the model name ("@ 2.60GHz") beats a throttled 'cpu MHz' reading.
  const nominal = modelName.match(/@\s*([\d.]+)\s*GHz/i);
  const ghz = nominal ? Number(nominal[1]) : mhz > 0 ? mhz / 1000 : 0;
  const flagSet = new Set((field(first, 'flags') ?? '').split(/\s+/));
  return { model: modelName, cores, logicalCpus: logical, ghz, flags: SIMD_FLAGS.filter((f) => flagSet.has(f)) };
}

/** Reads this machine's CPU; falls back to node's os.cpus() where /proc/cpuinfo is absent. */
export function readCpuInfo(path = '/proc/cpuinfo'): CpuInfo {
  try {
    return parseCpuInfo(readFileSync(path, 'utf8'), cpus().length);
  } catch {
    const list = cpus();
    return { model: list[0]?.model ?? 'unknown CPU', cores: list.length, logicalCpus: list.length, ghz: (list[0]?.speed ?? 0) / 1000, flags: [] };
  }
}

/**
 * The float32 peak: cores x GHz x FLOPs per cycle of the widest FMA units. Assumes two vector
 * FMA units per core (Intel server cores since Haswell, AMD Zen 2 and later); a core with one
 * AVX-512 FMA unit has half this peak, which the formula line makes visible.
 */
export function cpuPeak(info: CpuInfo): CpuPeak {
  const has = (flag: string) => info.flags.includes(flag);
  let flopsPerCycle: number;
  let unit: string;
  if (has('avx512f') && has('fma')) {
    flopsPerCycle = 2 * 16 * 2;
    unit = 'AVX-512 + FMA: 2 FMA units x 16 float32 lanes x 2 FLOPs';
  } else if ((has('avx2') || has('avx')) && has('fma')) {
    flopsPerCycle = 2 * 8 * 2;
    unit = 'AVX2 + FMA: 2 FMA units x 8 float32 lanes x 2 FLOPs';
  } else if (has('avx')) {
    flopsPerCycle = 8 + 8;
    unit = 'AVX without FMA: one 8-lane add and one 8-lane multiply';
  } else {
    flopsPerCycle = 4 + 4;
    unit = 'SSE: one 4-lane add and one 4-lane multiply';
  }
  const gflops = info.cores * info.ghz * flopsPerCycle;
  const formula = `${info.cores} cores x ${info.ghz.toFixed(2)} GHz x ${flopsPerCycle} FLOPs/cycle (${unit}) = ${gflops.toFixed(1)} GFLOP/s float32`;
  return { gflops, flopsPerCycle, unit, formula };
}
