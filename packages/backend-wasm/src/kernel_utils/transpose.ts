/**
 * out[c, r] = x[r, c] for a [rows, cols] matrix, in tiles of 32 rows so the strided writes of a
 * tile stay within a few pages. tfjs-wasm's Transpose kernel is slower than this on these tall,
 * narrow shapes (an im2col matrix or dy: [positions, channels]).
 */
export function transpose(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const tile = 32;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c = 0; c < cols; c++) {
      let dst = c * rows + r0;
      for (let r = r0, src = r0 * cols + c; r < r1; r++, src += cols) out[dst++] = x[src];
    }
  }
}
