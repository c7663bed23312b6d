import { reduction } from './reduction.js';

/** Mean over axes: the sum divided by the count; always float32. */
export const lowering = reduction('Mean', 'add', () => 0, () => 'float32', (b, r, count) =>
  b.ew('divide', r, b.splat(count, r.type.shape, r.type.elem)),
);
