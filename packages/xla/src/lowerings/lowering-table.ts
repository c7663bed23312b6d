import type { KernelLowering } from './kernel-lowering.js';

/**
 * The lowering table of a list of lowerings, by kernel name. Two lowerings of one kernel, or
 * an entry without its `infer` and `lower`, are a programming error: it throws, naming them.
 */
export function loweringTable(lowerings: readonly KernelLowering[]): ReadonlyMap<string, KernelLowering> {
  const table = new Map<string, KernelLowering>();
  for (const lowering of lowerings) {
    const name = lowering.kernelName;
    if (typeof lowering.infer !== 'function' || typeof lowering.lower !== 'function') {
      throw new Error(`internal: the lowering of ${name} has no infer or lower function`);
    }
    if (table.has(name)) throw new Error(`internal: kernel ${name} has two lowerings`);
    table.set(name, lowering);
  }
  return table;
}
