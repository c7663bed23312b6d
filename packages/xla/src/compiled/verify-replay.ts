import type { BackendValues } from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { ReplayPlan, ResultSlot } from './replay-plan.js';

/** Relative and absolute tolerance of the comparison: one program on one device gives the same bits; reductions on some devices may not. */
const TOLERANCE = 1e-6;

/**
 * Compares the results of a shadow replay with those of the traced run of the same step,
 * result by result, and throws at the first element that differs, naming what it is (a
 * variable's new value, an output, a handed-over value).
 */
export async function compareResults(
  name: string,
  plan: ReplayPlan,
  replayed: readonly TensorRecord[],
  traced: readonly TensorRecord[],
  valuesOf: (r: TensorRecord) => Promise<BackendValues>,
): Promise<void> {
  for (let i = 0; i < plan.results.length; i++) {
    const [a, b] = await Promise.all([valuesOf(replayed[i]), valuesOf(traced[i])]);
    const x = a as ArrayLike<number>;
    const y = b as ArrayLike<number>;
    for (let k = 0; k < y.length; k++) {
      const same = Object.is(x[k], y[k]) || (Number.isNaN(x[k]) && Number.isNaN(y[k])) || Math.abs(x[k] - y[k]) <= TOLERANCE * (1 + Math.abs(y[k]));
      if (same) continue;
      throw new StrataError('replay-mismatch', `Verify mode: the replayed ${name} differs from the traced one in ${describeSlot(plan.results[i])}, element ${k}: ${x[k]} replayed, ${y[k]} traced.`, {
        value: x[k],
        fix: 'a host value the step reads changes between calls but is fixed in the replay: pass it as an input (a number) or make it with dynamicScalar, or put the decision in compileStep\'s key; host code the step runs must go through hostEffect or stepOutput.',
      });
    }
  }
}

function describeSlot(slot: ResultSlot): string {
  const parts = [
    ...slot.variables.map((v) => `the new value of variable ${JSON.stringify(v.name)}`),
    ...slot.outputs.map((leaf) => `output ${leaf}`),
    ...slot.deliveries.map(() => 'a value handed to the host (a logged metric)'),
  ];
  return `${parts.join(', ') || 'a result'} (${slot.dtype}[${slot.shape.join(', ')}])`;
}
