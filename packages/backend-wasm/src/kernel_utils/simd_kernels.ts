import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Six SIMD loops that tfjs-wasm's binary lacks, as a tiny WebAssembly module written here byte by
 * byte (no toolchain needed) that imports tfjs-wasm's own memory, so it reads and writes tensors
 * where they lie, with no copy:
 *
 * - `rowProducts(acc, x, y, count, xStep, yStep, blocks)`: for each block j of 4 floats,
 *   acc[j] += Σ_{i < count} x[i·xStep + j] · y[i·yStep + j] (f32x4), the inner loop of a
 *   depthwise filter gradient;
 * - `rowSums(acc, x, count, xStep, blocks)`: acc[j] += Σ_{i < count} x[i·xStep + j], the inner
 *   loop of a sum over leading axes;
 * - `rowScaledAdd(out, y, w, count, outStep, yStep, blocks)`: out[i·outStep + j] +=
 *   y[i·yStep + j] · w[j] for every i < count, the inner loop of a depthwise input gradient;
 * - `maxPoolGradRow(dx, x, dy, count, windowH, windowW, rowBytes, pixelBytes, blocks)`: for
 *   `count` side-by-side, non-overlapping windows of one pooled row, writes dy to the first
 *   maximum of each window (per channel) and 0 to the window's other pixels;
 * - `reluGrad(out, x, dy, blocks)`: out[j] = x[j] > 0 ? dy[j] : 0 (0 where x is NaN);
 * - `rowBiasAdd(out, x, b, count, blocks)`: out[i·width + j] = x[i·width + j] + b[j] for `count`
 *   contiguous rows of `blocks` blocks (width = 4·blocks), a bias added over the last axis.
 *
 * Pointers and steps are in bytes; j runs over blocks of 4 floats. Each block's running sum (or
 * weight) stays in a register over the rows.
 */
export interface SimdKernels {
  rowProducts(acc: number, x: number, y: number, count: number, xStep: number, yStep: number, blocks: number): void;
  rowSums(acc: number, x: number, count: number, xStep: number, blocks: number): void;
  rowScaledAdd(out: number, y: number, w: number, count: number, outStep: number, yStep: number, blocks: number): void;
  maxPoolGradRow(dx: number, x: number, dy: number, count: number, windowH: number, windowW: number, rowBytes: number, pixelBytes: number, blocks: number): void;
  reluGrad(out: number, x: number, dy: number, blocks: number): void;
  rowBiasAdd(out: number, x: number, b: number, count: number, blocks: number): void;
}

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Instructions used below.
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a];
const SUB = [0x6b];
const MUL = [0x6c];
const GE_S = [0x4e];
const EQZ = [0x45];
const block = (...body: number[][]) => [0x02, 0x40, ...body.flat(), 0x0b];
const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
const br = (depth: number) => [0x0c, ...uleb(depth)];
const brIf = (depth: number) => [0x0d, ...uleb(depth)];
const V_LOAD = [0xfd, ...uleb(0x00), 0x00, 0x00];
const V_STORE = [0xfd, ...uleb(0x0b), 0x00, 0x00];
const F32X4_ADD = [0xfd, ...uleb(0xe4)];
const F32X4_MUL = [0xfd, ...uleb(0xe6)];
const F32X4_EQ = [0xfd, ...uleb(0x41)];
const F32X4_GT = [0xfd, ...uleb(0x44)];
const F32X4_PMAX = [0xfd, ...uleb(0xeb)];
const V_AND = [0xfd, ...uleb(0x4e)];
const V_ANDNOT = [0xfd, ...uleb(0x4f)];
const V_OR = [0xfd, ...uleb(0x50)];
/** v128.const of zeros. */
const V_ZERO = [0xfd, ...uleb(0x0c), ...Array(16).fill(0x00)];
/** v128.const with four copies of -Infinity. */
const V_NEG_INF = [0xfd, ...uleb(0x0c), ...Array(4).fill([0x00, 0x00, 0x80, 0xff]).flat()];

/** A function's entry in the code section: its size, its local declarations, its code, `end`. */
function functionBody(locals: number[], code: number[]): number[] {
  const body = [...locals, ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

/**
 * The body of one kernel. Parameters: acc, x, [y,] count, xStep, [yStep,] blocks. With
 * `product`, adds x·y; without, adds x.
 */
function rowKernel(product: boolean): number[] {
  const [acc, x, y, count, xStep, yStep, blocks] = product ? [0, 1, 2, 3, 4, 5, 6] : [0, 1, -1, 2, 3, -1, 4];
  const first = product ? 7 : 5;
  const [v, i, xp, yp, j, offset] = [first, first + 1, first + 2, first + 3, first + 4, first + 5];
  const locals = vec([[...uleb(1), V128], [...uleb(5), I32]]);
  const term = product ? [...get(xp), ...V_LOAD, ...get(yp), ...V_LOAD, ...F32X4_MUL] : [...get(xp), ...V_LOAD];
  const advance = product ? [...get(yp), ...get(yStep), ...ADD, ...set(yp)] : [];
  const code = [
    ...i32(0), ...set(j),
    ...block(loop(
      [...get(j), ...get(blocks), ...GE_S, ...brIf(1)],
      [...get(j), ...i32(16), ...MUL, ...set(offset)],
      [...get(acc), ...get(offset), ...ADD, ...V_LOAD, ...set(v)],
      [...get(x), ...get(offset), ...ADD, ...set(xp)],
      product ? [...get(y), ...get(offset), ...ADD, ...set(yp)] : [],
      [...get(count), ...set(i)],
      block(loop(
        [...get(i), ...EQZ, ...brIf(1)],
        [...get(v), ...term, ...F32X4_ADD, ...set(v)],
        [...get(xp), ...get(xStep), ...ADD, ...set(xp)],
        advance,
        [...get(i), ...i32(1), ...SUB, ...set(i)],
        br(0),
      )),
      [...get(acc), ...get(offset), ...ADD, ...get(v), ...V_STORE],
      [...get(j), ...i32(1), ...ADD, ...set(j)],
      br(0),
    )),
  ];
  return functionBody(locals, code);
}

/**
 * The loops of a row kernel with rows outside and blocks of 4 floats inside: for `count` rows,
 * `inner` runs once per block with local `offset` set to the block's byte offset (local `j`
 * counts the blocks), then each pointer local advances by its step. The rows' blocks are one
 * contiguous sweep and a per-block operand (a weight, a bias) stays in L1.
 */
function rowsOfBlocks(locals: { i: number; j: number; offset: number }, count: number[], blocks: number[], pointers: [local: number, step: number[]][], inner: number[][]): number[] {
  const { i, j, offset } = locals;
  return [
    ...count, ...set(i),
    ...block(loop(
      [...get(i), ...EQZ, ...brIf(1)],
      [...i32(0), ...set(j)],
      block(loop(
        [...get(j), ...blocks, ...GE_S, ...brIf(1)],
        [...get(j), ...i32(16), ...MUL, ...set(offset)],
        ...inner,
        [...get(j), ...i32(1), ...ADD, ...set(j)],
        br(0),
      )),
      ...pointers.map(([local, step]) => [...get(local), ...step, ...ADD, ...set(local)]),
      [...get(i), ...i32(1), ...SUB, ...set(i)],
      br(0),
    )),
  ];
}

/**
 * The body of `rowScaledAdd`: parameters out, y, w, count, outStep, yStep, blocks. Positions
 * outside, channel blocks inside (`rowsOfBlocks`), w's blocks in L1.
 */
function scaledAddKernel(): number[] {
  const [out, y, w, count, outStep, yStep, blocks] = [0, 1, 2, 3, 4, 5, 6];
  const [i, j, offset] = [7, 8, 9];
  const locals = vec([[...uleb(3), I32]]);
  const code = [
    ...rowsOfBlocks({ i, j, offset }, get(count), get(blocks), [[out, get(outStep)], [y, get(yStep)]], [
      [...get(out), ...get(offset), ...ADD],
      [...get(out), ...get(offset), ...ADD, ...V_LOAD],
      [...get(y), ...get(offset), ...ADD, ...V_LOAD],
      [...get(w), ...get(offset), ...ADD, ...V_LOAD],
      [...F32X4_MUL, ...F32X4_ADD, ...V_STORE],
    ]),
  ];
  return functionBody(locals, code);
}

/**
 * The body of `maxPoolGradRow`: parameters dx, x, dy, count, windowH, windowW, rowBytes,
 * pixelBytes, blocks. Per window and channel block: the running maximum (pmax, which like
 * `v > best` skips NaN), then dy to the first pixel equal to it and 0 elsewhere. A window whose
 * maximum is -Infinity gets no gradient, as in tfjs's cpu backend.
 */
function maxPoolGradKernel(): number[] {
  const [dx, x, dy, count, windowH, windowW, rowBytes, pixelBytes, blocks] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [o, jb, off, wh, ww, xb, dxb, dyb, p] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [best, taken, m, g] = [18, 19, 20, 21];
  const locals = vec([[...uleb(9), I32], [...uleb(4), V128]]);
  // p = wh·rowBytes + ww·pixelBytes + off
  const pixel = [...get(wh), ...get(rowBytes), ...MUL, ...get(ww), ...get(pixelBytes), ...MUL, ...ADD, ...get(off), ...ADD, ...set(p)];
  const overWindow = (...body: number[][]) => [
    ...i32(0), ...set(wh),
    ...block(loop(
      [...get(wh), ...get(windowH), ...GE_S, ...brIf(1)],
      [...i32(0), ...set(ww)],
      block(loop(
        [...get(ww), ...get(windowW), ...GE_S, ...brIf(1)],
        pixel,
        ...body,
        [...get(ww), ...i32(1), ...ADD, ...set(ww)],
        br(0),
      )),
      [...get(wh), ...i32(1), ...ADD, ...set(wh)],
      br(0),
    )),
  ];
  const code = [
    ...get(x), ...set(xb), ...get(dx), ...set(dxb), ...get(dy), ...set(dyb), ...i32(0), ...set(o),
    ...block(loop(
      [...get(o), ...get(count), ...GE_S, ...brIf(1)],
      [...i32(0), ...set(jb)],
      block(loop(
        [...get(jb), ...get(blocks), ...GE_S, ...brIf(1)],
        [...get(jb), ...i32(16), ...MUL, ...set(off)],
        [...V_NEG_INF, ...set(best)],
        overWindow([...get(best), ...get(xb), ...get(p), ...ADD, ...V_LOAD, ...F32X4_PMAX, ...set(best)]),
        [...get(best), ...V_NEG_INF, ...F32X4_EQ, ...set(taken)],
        [...get(dyb), ...get(off), ...ADD, ...V_LOAD, ...set(g)],
        overWindow(
          [...get(xb), ...get(p), ...ADD, ...V_LOAD, ...get(best), ...F32X4_EQ, ...get(taken), ...V_ANDNOT, ...set(m)],
          [...get(dxb), ...get(p), ...ADD, ...get(g), ...get(m), ...V_AND, ...V_STORE],
          [...get(taken), ...get(m), ...V_OR, ...set(taken)],
        ),
        [...get(jb), ...i32(1), ...ADD, ...set(jb)],
        br(0),
      )),
      [...get(xb), ...get(windowW), ...get(pixelBytes), ...MUL, ...ADD, ...set(xb)],
      [...get(dxb), ...get(windowW), ...get(pixelBytes), ...MUL, ...ADD, ...set(dxb)],
      [...get(dyb), ...get(pixelBytes), ...ADD, ...set(dyb)],
      [...get(o), ...i32(1), ...ADD, ...set(o)],
      br(0),
    )),
  ];
  return functionBody(locals, code);
}

/**
 * The body of `reluGrad`: parameters out, x, dy, blocks. One pass: the mask x > 0 (false for NaN)
 * selects dy's bits, so a step is one load of each operand and one store.
 */
function reluGradKernel(): number[] {
  const [out, x, dy, blocks] = [0, 1, 2, 3];
  const [offset, end] = [4, 5];
  const locals = vec([[...uleb(2), I32]]);
  const code = [
    ...i32(0), ...set(offset),
    ...get(blocks), ...i32(16), ...MUL, ...set(end),
    ...block(loop(
      [...get(offset), ...get(end), ...GE_S, ...brIf(1)],
      [...get(out), ...get(offset), ...ADD],
      [...get(dy), ...get(offset), ...ADD, ...V_LOAD],
      [...get(x), ...get(offset), ...ADD, ...V_LOAD, ...V_ZERO, ...F32X4_GT],
      [...V_AND, ...V_STORE],
      [...get(offset), ...i32(16), ...ADD, ...set(offset)],
      br(0),
    )),
  ];
  return functionBody(locals, code);
}

/**
 * The body of `rowBiasAdd`: parameters out, x, b, count, blocks. Contiguous rows of `blocks`
 * blocks (`rowsOfBlocks`), b's blocks in L1.
 */
function biasAddKernel(): number[] {
  const [out, x, b, count, blocks] = [0, 1, 2, 3, 4];
  const [i, j, offset] = [5, 6, 7];
  const locals = vec([[...uleb(3), I32]]);
  const rowBytes = [...get(blocks), ...i32(16), ...MUL];
  const code = [
    ...rowsOfBlocks({ i, j, offset }, get(count), get(blocks), [[out, rowBytes], [x, rowBytes]], [
      [...get(out), ...get(offset), ...ADD],
      [...get(x), ...get(offset), ...ADD, ...V_LOAD],
      [...get(b), ...get(offset), ...ADD, ...V_LOAD],
      [...F32X4_ADD, ...V_STORE],
    ]),
  ];
  return functionBody(locals, code);
}

/** The module's bytes: six functions over an imported memory 'env'.'memory'. */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const args = (n: number) => [0x60, ...vec(Array(n).fill([I32])), ...vec([])];
  // Types: 0 seven i32 args, 1 five, 2 nine, 3 four.
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([args(7), args(5), args(9), args(4)])),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([uleb(0), uleb(1), uleb(0), uleb(2), uleb(3), uleb(1)])),
    ...section(7, vec([
      [...str('rowProducts'), 0x00, ...uleb(0)],
      [...str('rowSums'), 0x00, ...uleb(1)],
      [...str('rowScaledAdd'), 0x00, ...uleb(2)],
      [...str('maxPoolGradRow'), 0x00, ...uleb(3)],
      [...str('reluGrad'), 0x00, ...uleb(4)],
      [...str('rowBiasAdd'), 0x00, ...uleb(5)],
    ])),
    ...section(10, vec([rowKernel(true), rowKernel(false), scaledAddKernel(), maxPoolGradKernel(), reluGradKernel(), biasAddKernel()])),
  ]);
}

const instances = new WeakMap<object, SimdKernels | null>();

/**
 * The SIMD kernels bound to this backend's memory, or null where they cannot run (no SIMD, or a
 * tfjs-wasm build that does not export its memory); callers then use their plain-JS loop.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  const module = backend.wasm as unknown as { asm?: Record<string, unknown> };
  const key = backend as object;
  if (!instances.has(key)) {
    let kernels: SimdKernels | null = null;
    try {
      const memory = module.asm?.['memory'];
      if (memory instanceof WebAssembly.Memory) {
        const instance = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes()), { env: { memory } });
        kernels = instance.exports as unknown as SimdKernels;
      }
    } catch {
      kernels = null;
    }
    instances.set(key, kernels);
  }
  return instances.get(key) ?? null;
}
