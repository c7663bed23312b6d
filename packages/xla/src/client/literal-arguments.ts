import { StrataError } from '@strata/core';
import type { LiteralArgument } from '../lazy/program-executor.js';
import { sizeOf } from '../hlo/hlo-types.js';
import { toBytes } from './wire-values.js';
import { WIRE_DTYPE, WIRE_PLACEMENT } from './wire-specs.js';

/** The most bytes one literal argument may have (the server's limit); larger values are uploaded. */
export const MAX_LITERAL_BYTES = 1 << 20;

/**
 * Literal arguments as the ExecuteRequest's `literals`, checked before they travel.
 * @param processes processes of the server's mesh: a split literal carries this process's
 *   1/processes of the rows of its (global) shape.
 */
export function literalsOf(literals: readonly LiteralArgument[], processes = 1): object[] {
  return literals.map((literal, n) => {
    const { index, values, shape, dtype } = literal;
    if (!Number.isInteger(index) || index < 0) {
      throw new StrataError('bad-input', `Literal argument ${n} has index ${index}, which is not an argument number.`, {
        value: index,
        fix: 'give the index of the program argument it fills, counted from 0.',
      });
    }
    const wire = WIRE_DTYPE[dtype];
    if (wire === undefined) {
      throw new StrataError('bad-input', `Literal argument ${index} has dtype '${dtype}', which the XLA server does not take.`, {
        value: dtype,
        fix: `cast it to one of ${Object.keys(WIRE_DTYPE).join(', ')}.`,
      });
    }
    const local = literal.placement === 'split' && processes > 1;
    const size = sizeOf(shape) / (local ? processes : 1);
    const length = (values as ArrayLike<unknown>).length;
    if (length !== size) {
      throw new StrataError('bad-input', `Literal argument ${index} has ${length} value(s) for shape [${shape.join(', ')}], which holds ${size}${local ? ` on each of ${processes} processes` : ''}.`, {
        value: length,
        fix: local ? "pass this process's rows only (one value per element of its block of rows)." : 'pass exactly one value per element of the shape.',
      });
    }
    const data = toBytes(values, dtype);
    if (data.length > MAX_LITERAL_BYTES) {
      throw new StrataError('bad-input', `Literal argument ${index} is ${data.length} bytes, over the ${MAX_LITERAL_BYTES} bytes a literal may have.`, {
        value: data.length,
        fix: 'upload it with upload() and pass its handle among the inputs instead.',
      });
    }
    return { index, spec: { dtype: wire, shape, placement: WIRE_PLACEMENT[literal.placement ?? 'replicated'] }, data };
  });
}
