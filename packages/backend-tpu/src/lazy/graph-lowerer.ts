import { createHash } from 'node:crypto';
import type { Precision } from '@strata/core';
import { HloBuilder } from '../hlo/hlo-builder.js';
import { elemOf, typeText, type TensorType, type Value } from '../hlo/hlo-types.js';
import type { LazyNode, Placement, TensorRecord } from './graph-types.js';

/** One cut of the graph, lowered: the module text, its hash, and its arguments and results. */
export interface LoweredProgram {
  readonly text: string;
  /** sha256 of the text, hex: the server's cache key. */
  readonly hash: string;
  /** Leaves the program reads, in argument order. */
  readonly params: readonly TensorRecord[];
  /** Tensors the program computes, in result order. */
  readonly results: readonly TensorRecord[];
  readonly numDevices: number;
}

/** The `mhlo.sharding` of a tensor placed over `numDevices` devices. */
export function shardingOf(placement: Placement, rank: number, numDevices: number): string {
  if (placement === 'replicated' || numDevices === 1 || rank === 0) return '{replicated}';
  const tile = [numDevices, ...Array.from({ length: rank - 1 }, () => 1)];
  return `{devices=[${tile.join(',')}]<=[${numDevices}]}`;
}

/**
 * Lowers the pending nodes that `targets` depend on to one StableHLO module. Names are
 * canonical: values are numbered in topological (recording) order and arguments by position,
 * so a graph recorded again with the same kernels, shapes and placements gives the same text,
 * whatever its tensor ids or values, and the server's compiled program is reused.
 */
export class GraphLowerer {
  constructor(
    private readonly precision: Precision,
    private readonly numDevices: number,
  ) {}

  lower(targets: readonly TensorRecord[]): LoweredProgram {
    const nodes = collectNodes(targets);
    const nodeSet = new Set(nodes);
    const annotate = this.numDevices > 1;
    const b = new HloBuilder(this.precision);
    const values = new Map<TensorRecord, Value>();
    const params: TensorRecord[] = [];
    const argDecls: string[] = [];
    const paramOf = (record: TensorRecord): Value => {
      let v = values.get(record);
      if (v === undefined) {
        const type: TensorType = { shape: record.shape, elem: elemOf(record.dtype) };
        v = { name: `%arg${params.length}`, type };
        const sharding = shardingOf(record.placement, record.shape.length, this.numDevices);
        argDecls.push(annotate ? `${v.name}: ${typeText(type)} {mhlo.sharding = "${sharding}"}` : `${v.name}: ${typeText(type)}`);
        params.push(record);
        values.set(record, v);
      }
      return v;
    };
    for (const node of nodes) {
      const inputs = node.inputs.map((r) => {
        if (r === null) return null;
        if (r.source.kind === 'fill' && r.source.embed) {
          let v = values.get(r);
          if (v === undefined) {
            v = b.splat(r.source.value, r.shape, elemOf(r.dtype));
            values.set(r, v);
          }
          return v;
        }
        if (r.source.kind === 'node' && nodeSet.has(r.source.node)) {
          const v = values.get(r);
          if (v === undefined) throw new Error(`internal: value of tensor ${r.id} used before it was lowered`);
          return v;
        }
        return paramOf(r);
      });
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
    }
    const results = [...targets];
    const resultValues = results.map((r) => values.get(r) ?? paramOf(r));
    const resultTypes = resultValues.map((v) => (annotate ? `${typeText(v.type)} {mhlo.sharding = "{replicated}"}` : typeText(v.type)));
    const text = [
      `module @strata attributes {mhlo.num_partitions = ${this.numDevices} : i32, mhlo.num_replicas = 1 : i32} {`,
      `  func.func public @main(${argDecls.join(', ')}) -> (${resultTypes.join(', ')}) {`,
      ...b.body(),
      `    "func.return"(${resultValues.map((v) => v.name).join(', ')}) : (${resultValues.map((v) => typeText(v.type)).join(', ')}) -> ()`,
      '  }',
      '}',
      '',
    ].join('\n');
    const hash = createHash('sha256').update(text).digest('hex');
    return { text, hash, params, results, numDevices: this.numDevices };
  }
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
