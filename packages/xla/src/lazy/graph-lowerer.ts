import { createHash } from 'node:crypto';
import type { Precision } from '@strata/core';
import { HloBuilder } from '../hlo/hlo-builder.js';
import { elemOf, sizeOf, typeText, type Value } from '../hlo/hlo-types.js';
import { sliceToRows } from '../lowerings/padded-rows.js';
import { SMALL_TENSOR, argumentKey } from './argument-key.js';
import type { LazyNode, Placement, TensorRecord } from './graph-types.js';
import { isPadded, wireShape } from './split-padding.js';

/** One cut of the graph, lowered: the module text, its hash, and its arguments and results. */
export interface LoweredProgram {
  readonly text: string;
  /** sha256 of the text, hex: the server's cache key. */
  readonly hash: string;
  /** Leaves the program reads, in argument order. */
  readonly params: readonly TensorRecord[];
  /** Tensors the program computes, in result order. */
  readonly results: readonly TensorRecord[];
  /** Arguments (by index) the module aliases to a result of the same type (XLA consumes them). */
  readonly aliased: readonly number[];
  readonly numDevices: number;
}

/** The `mhlo.sharding` of a tensor placed over `numDevices` devices. */
export function shardingOf(placement: Placement, rank: number, numDevices: number): string {
  if (placement === 'replicated' || numDevices === 1 || rank === 0) return '{replicated}';
  const tile = [numDevices, ...Array.from({ length: rank - 1 }, () => 1)];
  return `{devices=[${tile.join(',')}]<=[${numDevices}]}`;
}

/** Where a node's input comes from, in a cut. */
type InputRef =
  | { readonly kind: 'value'; readonly record: TensorRecord } // computed by an earlier node of the cut
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'constant'; readonly record: TensorRecord } // a fill baked into the program
  | null;

/**
 * A cut, resolved but not yet emitted: its nodes, where each input comes from, its arguments
 * and results, and a key that is equal for two cuts exactly when they lower to the same text.
 */
interface CutPlan {
  readonly nodes: readonly LazyNode[];
  readonly inputs: readonly (readonly InputRef[])[];
  readonly params: readonly TensorRecord[];
  readonly results: readonly TensorRecord[];
  readonly resultRefs: readonly InputRef[];
  /** Argument index to the result index its buffer becomes. */
  readonly aliases: ReadonlyMap<number, number>;
  readonly key: string;
}

/** Lowered programs kept per lowerer, by plan key: a training loop cuts the same graph every step. */
const CACHE_LIMIT = 32;

/**
 * Lowers the pending nodes that `targets` depend on to one StableHLO module. Names are
 * canonical: values are numbered in topological (recording) order and arguments by position,
 * so a graph recorded again with the same kernels, shapes and placements gives the same text,
 * whatever its tensor ids or values, and the server's compiled program is reused.
 *
 * Emitting the text of a large model's step costs more than planning the cut, so a lowerer
 * keeps what it emitted by the cut's structural key (kernels, attributes, wiring, argument
 * types) and emits again only for a cut it has not seen.
 */
export class GraphLowerer {
  private readonly cache = new Map<string, { readonly text: string; readonly hash: string }>();
  /** Cuts whose text came from the cache (tests and stats read it). */
  hits = 0;

  constructor(
    readonly precision: Precision,
    readonly numDevices: number,
  ) {}

  /**
   * @param stepStart the first record id of the step being cut: host temporaries made since
   *   then may share an argument when their values are equal (see argumentKey).
   * @param distinct tensors that keep an argument of their own even when another holds the
   *   same buffer or value: a compiled step's inputs, variables and dynamic scalars, whose
   *   values differ from one replay to the next.
   */
  lower(targets: readonly TensorRecord[], stepStart = 0, distinct?: ReadonlySet<TensorRecord>): LoweredProgram {
    const plan = this.plan(targets, stepStart, distinct);
    let emitted = this.cache.get(plan.key);
    if (emitted === undefined) {
      const text = this.emit(plan);
      emitted = { text, hash: createHash('sha256').update(text).digest('hex') };
      this.cache.set(plan.key, emitted);
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    } else {
      this.hits++;
      // Most recently used last, so the oldest goes first.
      this.cache.delete(plan.key);
      this.cache.set(plan.key, emitted);
    }
    return { text: emitted.text, hash: emitted.hash, params: plan.params, results: plan.results, aliased: [...plan.aliases.keys()], numDevices: this.numDevices };
  }

  /**
   * Besides wiring the cut, pairs each argument larger than a small tensor with a result of
   * the same type (`tf.aliasing_output`), so that XLA may write the result into the argument's
   * buffer, as jax's donate_argnums does for a step's old weights and optimizer state: the
   * step then needs no copy of that state and no second buffer for it. The pairing is
   * structural, never a question of which tensors are still alive, so that the first step
   * (whose initial values may still be held) compiles the same program as every later one: at
   * run time the client donates the buffers that are dead and the server hands the program
   * copies of the others.
   */
  private plan(targets: readonly TensorRecord[], stepStart: number, distinct?: ReadonlySet<TensorRecord>): CutPlan {
    const nodes = collectNodes(targets);
    const nodeSet = new Set(nodes);
    const params: TensorRecord[] = [];
    const paramIndex = new Map<TensorRecord, number>();
    const byKey = new Map<string, number>();
    const key: string[] = [`${this.precision};${this.numDevices}`];
    const nodeIndex = new Map<LazyNode, number>();

    const refOf = (r: TensorRecord | null): InputRef => {
      if (r === null) {
        // An absent optional input (batch norm without scale) is part of the structure.
        key.push('_');
        return null;
      }
      const s = r.source;
      if (s.kind === 'fill' && s.embed) {
        key.push(`c${Object.is(s.value, -0) ? '-0' : s.value}:${r.dtype}:${r.shape.join('x')}`);
        return { kind: 'constant', record: r };
      }
      if (s.kind === 'node' && nodeSet.has(s.node)) {
        key.push(`v${nodeIndex.get(s.node)}.${s.index}`);
        return { kind: 'value', record: r };
      }
      let index = paramIndex.get(r);
      if (index === undefined) {
        const dedupe = distinct?.has(r) ? undefined : argumentKey(r, stepStart);
        index = dedupe === undefined ? undefined : byKey.get(dedupe);
        if (index === undefined) {
          index = params.length;
          params.push(r);
          if (dedupe !== undefined) byKey.set(dedupe, index);
          key.push(`a${r.dtype}:${r.shape.join('x')}:${r.placement}`);
        }
        paramIndex.set(r, index);
      }
      key.push(`p${index}`);
      return { kind: 'param', index };
    };

    const inputs = nodes.map((node, i) => {
      nodeIndex.set(node, i);
      key.push(`|${node.lowering.kernelName}${attrsKey(node.attrs)}`);
      return node.inputs.map(refOf);
    });
    key.push('|results');
    const results = [...targets];
    const resultRefs = results.map(refOf);
    const aliases = new Map<number, number>();
    const taken = new Set<number>();
    const returned = new Set(resultRefs.flatMap((ref) => (ref?.kind === 'param' ? [ref.index] : [])));
    params.forEach((p, i) => {
      // A padded argument's buffer has more rows than any result: it never aliases one.
      if (returned.has(i) || sizeOf(p.shape) <= SMALL_TENSOR || isPadded(p.shape, p.placement, this.numDevices)) return;
      const j = results.findIndex(
        (r, k) => !taken.has(k) && resultRefs[k]?.kind === 'value' && r.dtype === p.dtype && r.placement === p.placement && sameShape(r.shape, p.shape),
      );
      if (j < 0) return;
      taken.add(j);
      aliases.set(i, j);
      key.push(`alias${i}>${j}`);
    });
    return { nodes, inputs, params, results, resultRefs, aliases, key: key.join(' ') };
  }

  private emit(plan: CutPlan): string {
    const annotate = this.numDevices > 1;
    const b = new HloBuilder(this.precision);
    const values = new Map<TensorRecord, Value>();
    // A padded split argument is declared at its wire shape and sliced to its true rows before any op reads it.
    const argTypes = plan.params.map((record, i): Value => ({
      name: `%arg${i}`,
      type: { shape: wireShape(record.shape, record.placement, this.numDevices), elem: elemOf(record.dtype) },
    }));
    const argValues = plan.params.map((record, i): Value =>
      isPadded(record.shape, record.placement, this.numDevices) ? sliceToRows(b, argTypes[i], record.shape[0]) : argTypes[i],
    );
    const argDecls = plan.params.map((record, i) => {
      const v = argTypes[i];
      const attributes: string[] = [];
      if (annotate) attributes.push(`mhlo.sharding = "${shardingOf(record.placement, record.shape.length, this.numDevices)}"`);
      const alias = plan.aliases.get(i);
      if (alias !== undefined) attributes.push(`tf.aliasing_output = ${alias} : i32`);
      return attributes.length > 0 ? `${v.name}: ${typeText(v.type)} {${attributes.join(', ')}}` : `${v.name}: ${typeText(v.type)}`;
    });
    const valueOf = (ref: InputRef): Value | null => {
      if (ref === null) return null;
      if (ref.kind === 'param') return argValues[ref.index];
      let v = values.get(ref.record);
      if (v === undefined) {
        if (ref.kind === 'value') throw new Error(`internal: value of tensor ${ref.record.id} used before it was lowered`);
        const s = ref.record.source as { value: number };
        v = b.splat(s.value, ref.record.shape, elemOf(ref.record.dtype));
        values.set(ref.record, v);
      }
      return v;
    };
    plan.nodes.forEach((node, n) => {
      const inputs = plan.inputs[n].map(valueOf);
      const metas = node.outputs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
      const outs = node.lowering.lower(b, inputs, node.attrs, metas);
      node.outputs.forEach((o, i) => {
        const want = elemOf(o.dtype);
        const v = outs[i];
        if (v.type.elem !== want || v.type.shape.join('x') !== o.shape.join('x')) {
          throw new Error(
            `internal: lowering of ${node.lowering.kernelName} gave ${typeText(v.type)} for output ${i}, expected ${typeText({ shape: o.shape, elem: want })}`,
          );
        }
        values.set(o, v);
      });
    });
    const resultValues = plan.resultRefs.map((ref) => valueOf(ref)!);
    const resultTypes = resultValues.map((v) => (annotate ? `${typeText(v.type)} {mhlo.sharding = "{replicated}"}` : typeText(v.type)));
    return [
      `module @strata attributes {mhlo.num_partitions = ${this.numDevices} : i32, mhlo.num_replicas = 1 : i32} {`,
      `  func.func public @main(${argDecls.join(', ')}) -> (${resultTypes.join(', ')}) {`,
      ...b.body(),
      `    "func.return"(${resultValues.map((v) => v.name).join(', ')}) : (${resultValues.map((v) => typeText(v.type)).join(', ')}) -> ()`,
      '  }',
      '}',
      '',
    ].join('\n');
  }
}

/**
 * A node's attributes as text for the plan key. Attributes are plain values (numbers,
 * strings, booleans, arrays of them); a lowering's output depends only on them and on its
 * inputs' types, which the key already pins through the arguments' types and the wiring.
 */
function attrsKey(attrs: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const name in attrs) {
    const v = attrs[name];
    out += `,${name}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`;
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The pending nodes `targets` depend on, in recording (topological) order. */
export function collectNodes(targets: readonly TensorRecord[]): LazyNode[] {
  const seen = new Set<LazyNode>();
  const stack: LazyNode[] = [];
  for (const t of targets) if (t.source.kind === 'node') stack.push(t.source.node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const input of node.inputs) if (input?.source.kind === 'node') stack.push(input.source.node);
  }
  return [...seen].sort((x, y) => x.id - y.id);
}
