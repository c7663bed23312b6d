// The lowering table: what the xla backend can record. A kernel missing here is a preflight
// error that names it; the tests assert that the models' kernels are all here. Each family
// module declares its kernels keyed by tfjs's kernel-name constants; a new lowering goes into
// the family it belongs to (or a new family listed below).
import { ACTIVATION_LOWERINGS } from './activations.js';
import { BATCH_NORM_LOWERINGS } from './batch-norm.js';
import { BINARY_LOWERINGS } from './binary.js';
import { COMPARISON_LOWERINGS } from './comparison.js';
import { CONV_LOWERINGS } from './conv.js';
import { CREATION_LOWERINGS } from './creation.js';
import type { KernelLowering } from './kernel-lowering.js';
import { loweringTable } from './lowering-table.js';
import { MATMUL_LOWERINGS } from './matmul.js';
import { POOL_LOWERINGS } from './pool.js';
import { RANDOM_LOWERINGS } from './random.js';
import { REDUCTION_LOWERINGS } from './reduction.js';
import { SHAPE_LOWERINGS } from './shape.js';
import { SLICING_LOWERINGS } from './slicing.js';
import { UNARY_LOWERINGS } from './unary.js';

/** The lowering families, by name: each a list of lowerings; the table is all of them. */
export const LOWERING_FAMILIES: Readonly<Record<string, readonly KernelLowering[]>> = {
  unary: UNARY_LOWERINGS,
  binary: BINARY_LOWERINGS,
  comparison: COMPARISON_LOWERINGS,
  activations: ACTIVATION_LOWERINGS,
  reduction: REDUCTION_LOWERINGS,
  creation: CREATION_LOWERINGS,
  shape: SHAPE_LOWERINGS,
  slicing: SLICING_LOWERINGS,
  matmul: MATMUL_LOWERINGS,
  conv: CONV_LOWERINGS,
  pool: POOL_LOWERINGS,
  batchNorm: BATCH_NORM_LOWERINGS,
  random: RANDOM_LOWERINGS,
};

/** Every lowered kernel, by tfjs kernel name (or Strata's, for the kernels @strata/core defines). */
export const LOWERINGS: ReadonlyMap<string, KernelLowering> = loweringTable(Object.values(LOWERING_FAMILIES).flat());

export type { KernelLowering, TensorMeta } from './kernel-lowering.js';
