import type { Precision } from '@strata/core';
import { isFloat, typeText, type ElemType, type TensorType, type Value } from './hlo-types.js';

/** How a reduction combines two elements. */
export type Combiner = 'add' | 'maximum' | 'minimum' | 'multiply' | 'and' | 'or';

/** Comparison directions of `stablehlo.compare`. */
export type CompareDir = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';

const f32Bits = new DataView(new ArrayBuffer(4));

/** A scalar constant written exactly: floats as their IEEE bits in hex, so text never rounds. */
export function scalarLiteral(value: number, elem: ElemType): string {
  if (elem === 'i1') return value ? 'true' : 'false';
  if (!isFloat(elem)) return String(Math.trunc(value));
  f32Bits.setFloat32(0, value, false);
  const hex = f32Bits.getUint32(0, false).toString(16).toUpperCase().padStart(8, '0');
  return `0x${hex}`;
}

/**
 * Emits the body of one StableHLO function in MLIR's generic op syntax, one SSA value per
 * op, numbered in emission order. Emission order follows the graph's topological order, so
 * the same graph always gives the same text (and hash).
 */
export class HloBuilder {
  private readonly lines: string[] = [];
  private counter = 0;

  /** @param precision the training precision: matmul and convolution lowerings read it. */
  constructor(readonly precision: Precision = '32') {}

  fresh(): string {
    return `%${this.counter++}`;
  }

  /** The emitted body lines. */
  body(): string[] {
    return this.lines;
  }

  /** Emits `%n = "name"(operands) <{props}> ({regions}) : (types) -> type`. */
  op(name: string, operands: readonly Value[], result: TensorType, props?: string, region?: string): Value {
    const out = this.fresh();
    const p = props ? ` <{${props}}>` : '';
    const r = region ? ` (${region})` : '';
    const sig = `(${operands.map((v) => typeText(v.type)).join(', ')}) -> ${typeText(result)}`;
    this.lines.push(`    ${out} = "${name}"(${operands.map((v) => v.name).join(', ')})${p}${r} : ${sig}`);
    return { name: out, type: result };
  }

  /**
   * Emits an op with several results, `%n:k = "name"(operands) <{props}> : (types) -> (types)`,
   * and returns its values `%n#0`, `%n#1`, ...
   */
  multiOp(name: string, operands: readonly Value[], results: readonly TensorType[], props?: string): Value[] {
    const out = this.fresh();
    const p = props ? ` <{${props}}>` : '';
    const sig = `(${operands.map((v) => typeText(v.type)).join(', ')}) -> (${results.map(typeText).join(', ')})`;
    this.lines.push(`    ${out}:${results.length} = "${name}"(${operands.map((v) => v.name).join(', ')})${p} : ${sig}`);
    return results.map((type, i) => ({ name: `${out}#${i}`, type }));
  }

  /** A scalar constant. */
  constant(value: number, elem: ElemType): Value {
    const type = { shape: [], elem };
    const lit = scalarLiteral(value, elem);
    return this.op('stablehlo.constant', [], type, `value = dense<${lit}> : ${typeText(type)}`);
  }

  /** A constant of `shape` with every element `value`. */
  splat(value: number, shape: readonly number[], elem: ElemType): Value {
    const s = this.constant(value, elem);
    return shape.length === 0 ? s : this.broadcastInDim(s, shape, []);
  }

  broadcastInDim(v: Value, shape: readonly number[], dims: readonly number[]): Value {
    return this.op('stablehlo.broadcast_in_dim', [v], { shape, elem: v.type.elem }, `broadcast_dimensions = ${i64s(dims)}`);
  }

  /** Numpy-style broadcast of `v` to `shape` (trailing dimensions aligned). */
  broadcastTo(v: Value, shape: readonly number[]): Value {
    if (sameShape(v.type.shape, shape)) return v;
    const offset = shape.length - v.type.shape.length;
    // Size-1 dimensions that expand are dropped first: broadcast_in_dim needs equal or 1 sizes,
    // which it allows, so a direct mapping suffices.
    const dims = v.type.shape.map((_, i) => i + offset);
    return this.broadcastInDim(v, shape, dims);
  }

  reshape(v: Value, shape: readonly number[]): Value {
    if (sameShape(v.type.shape, shape)) return v;
    return this.op('stablehlo.reshape', [v], { shape, elem: v.type.elem });
  }

  transpose(v: Value, perm: readonly number[]): Value {
    if (perm.every((p, i) => p === i)) return v;
    const shape = perm.map((p) => v.type.shape[p]);
    return this.op('stablehlo.transpose', [v], { shape, elem: v.type.elem }, `permutation = ${i64s(perm)}`);
  }

  convert(v: Value, elem: ElemType): Value {
    if (v.type.elem === elem) return v;
    if (elem === 'i1') {
      // Any-to-bool is "not zero", written as a comparison like jax does.
      const zero = this.splat(0, v.type.shape, v.type.elem);
      return this.compare(v, zero, 'NE');
    }
    return this.op('stablehlo.convert', [v], { shape: v.type.shape, elem });
  }

  /** Elementwise op on operands of one type; the result has the first operand's type. */
  ew(name: string, ...operands: Value[]): Value {
    return this.op(`stablehlo.${name}`, operands, operands[0].type);
  }

  compare(a: Value, b: Value, dir: CompareDir): Value {
    const kind = isFloat(a.type.elem) ? 'FLOAT' : a.type.elem === 'i1' || a.type.elem.startsWith('ui') ? 'UNSIGNED' : 'SIGNED';
    return this.op(
      'stablehlo.compare',
      [a, b],
      { shape: a.type.shape, elem: 'i1' },
      `compare_type = #stablehlo<comparison_type ${kind}>, comparison_direction = #stablehlo<comparison_direction ${dir}>`,
    );
  }

  select(pred: Value, onTrue: Value, onFalse: Value): Value {
    return this.op('stablehlo.select', [pred, onTrue, onFalse], onTrue.type);
  }

  /** A two-argument scalar region `^bb0(%a, %b): return combine(a, b)`. */
  combinerRegion(combiner: Combiner, elem: ElemType): string {
    const scalar = typeText({ shape: [], elem });
    const a = this.fresh();
    const b = this.fresh();
    const r = this.fresh();
    return [
      '{',
      `    ^bb0(${a}: ${scalar}, ${b}: ${scalar}):`,
      `      ${r} = "stablehlo.${combiner}"(${a}, ${b}) : (${scalar}, ${scalar}) -> ${scalar}`,
      `      "stablehlo.return"(${r}) : (${scalar}) -> ()`,
      '    }',
    ].join('\n');
  }

  /** Reduces `v` over `dims` with `combiner` starting from `init`. */
  reduce(v: Value, dims: readonly number[], combiner: Combiner, init: number): Value {
    if (dims.length === 0) return v;
    const initV = this.constant(init, v.type.elem);
    const shape = v.type.shape.filter((_, i) => !dims.includes(i));
    const region = this.combinerRegion(combiner, v.type.elem);
    const sorted = [...dims].sort((x, y) => x - y);
    return this.op('stablehlo.reduce', [v, initV], { shape, elem: v.type.elem }, `dimensions = ${i64s(sorted)}`, region);
  }

  /** reduce_window with explicit padding ([lo, hi] per dimension). */
  reduceWindow(
    v: Value,
    init: Value,
    combiner: Combiner,
    window: readonly number[],
    strides: readonly number[],
    padding: readonly (readonly [number, number])[],
    outShape: readonly number[],
    baseDilations?: readonly number[],
  ): Value {
    const region = this.combinerRegion(combiner, v.type.elem);
    const ones = window.map(() => 1);
    const props = [
      `base_dilations = ${i64s(baseDilations ?? ones)}`,
      `padding = ${pads(padding)}`,
      `window_dilations = ${i64s(ones)}`,
      `window_dimensions = ${i64s(window)}`,
      `window_strides = ${i64s(strides)}`,
    ].join(', ');
    return this.op('stablehlo.reduce_window', [v, init], { shape: outShape, elem: v.type.elem }, props, region);
  }

  /** Element type for the operands of matmuls and convolutions under the current precision. */
  computeElem(elem: ElemType): ElemType {
    if (elem !== 'f32') return elem;
    if (this.precision === 'bf16-mixed') return 'bf16';
    if (this.precision === '16-mixed') return 'f16';
    return 'f32';
  }
}

/** `array<i64: 1, 2>` */
export function i64s(values: readonly number[]): string {
  return values.length === 0 ? 'array<i64>' : `array<i64: ${values.join(', ')}>`;
}

/** `dense<[[lo, hi], ...]> : tensor<Nx2xi64>` */
export function pads(padding: readonly (readonly [number, number])[]): string {
  return `dense<[${padding.map(([lo, hi]) => `[${lo}, ${hi}]`).join(', ')}]> : tensor<${padding.length}x2xi64>`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
