import { binary } from './elementwise.js';

/** FloorDiv: floor(a / b), int32 like tfjs-backend-cpu's Math.floor(a / b) kernel. */
export const lowering = binary(
  'FloorDiv',
  (b, x, y) => {
    const q = b.ew('floor', b.ew('divide', b.convert(x, 'f32'), b.convert(y, 'f32')));
    return b.convert(q, 'i32');
  },
  'int32',
);
