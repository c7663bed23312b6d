import { i64s, type HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';

/**
 * The true rows of a padded split argument: `stablehlo.slice` of its first `rows` rows. A
 * program applies it to such an argument before any op reads it, so the ops see the tensor's
 * real shape and XLA's SPMD partitioner handles the uneven shards (its reductions leave the
 * padding out).
 */
export function sliceToRows(b: HloBuilder, padded: Value, rows: number): Value {
  const shape = [rows, ...padded.type.shape.slice(1)];
  const start = shape.map(() => 0);
  return b.op(
    'stablehlo.slice',
    [padded],
    { shape, elem: padded.type.elem },
    `limit_indices = ${i64s(shape)}, start_indices = ${i64s(start)}, strides = ${i64s(shape.map(() => 1))}`,
  );
}
