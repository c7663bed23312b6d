import { createHash } from 'node:crypto';
import { elemOf, typeText } from '../hlo/hlo-types.js';
import { shardingOf } from '../lazy/graph-lowerer.js';
import type { ProgramSpec, ReplayPlan, StepModule } from './replay-plan.js';

/** One argument of a multi-step module: the step's argument `param`, for step `step` (null: the same for every step). */
export interface MultiStepParam {
  readonly param: number;
  readonly step: number | null;
}

/** One result of a multi-step module: the step's result `slot` after step `step`. */
export interface MultiStepResult {
  readonly slot: number;
  readonly step: number;
}

export interface MultiStepModule {
  readonly text: string;
  readonly hash: string;
  readonly steps: number;
  readonly params: readonly MultiStepParam[];
  readonly results: readonly MultiStepResult[];
  readonly paramSpecs: readonly ProgramSpec[];
  readonly resultSpecs: readonly ProgramSpec[];
  /** Arguments the module aliases to results (a variable's old value to its new one). */
  readonly aliased: ReadonlySet<number>;
}

/**
 * A module that runs `steps` steps of a traced step in one execution, as Keras's
 * `steps_per_execution` does: the step's own module becomes a private function, called once per
 * step, each call taking the variables the previous one wrote. Inputs and dynamic scalars are
 * arguments of every step; variables, constants and tensors made before the step are arguments
 * once. A result that is only a variable's new value comes back once (after the last step); a
 * result the caller receives (an output, a `stepOutput` delivery) comes back for every step.
 * XLA inlines the calls, so the steps run back to back with no host work between them.
 */
export function multiStepModule(step: StepModule, plan: ReplayPlan, steps: number): MultiStepModule {
  const lines = step.text.split('\n');
  const mainAt = lines.findIndex((l) => l.startsWith('  func.func public @main('));
  const end = lines.lastIndexOf('  }');
  if (mainAt !== 1 || end <= mainAt) throw new Error('internal: the step module is not in the lowerer\'s form');
  const body = lines.slice(mainAt + 1, end);
  const type = (s: ProgramSpec) => typeText({ shape: s.shape, elem: elemOf(s.dtype) });
  const annotate = step.numDevices > 1;

  const perStep = (i: number) => plan.params[i].kind === 'input' || plan.params[i].kind === 'dynamic';
  const params: MultiStepParam[] = [];
  step.params.forEach((_, i) => {
    if (perStep(i)) for (let k = 0; k < steps; k++) params.push({ param: i, step: k });
    else params.push({ param: i, step: null });
  });
  const delivered = (j: number) => plan.results[j].outputs.length + plan.results[j].deliveries.length > 0;
  const results: MultiStepResult[] = [];
  plan.results.forEach((_, j) => {
    if (delivered(j)) for (let k = 0; k < steps; k++) results.push({ slot: j, step: k });
    else results.push({ slot: j, step: steps - 1 });
  });

  // The step's result slot that holds each written variable's new value.
  const newValueOf = new Map<number, number>();
  plan.params.forEach((p, i) => {
    if (p.kind !== 'variable') return;
    const j = plan.results.findIndex((r) => r.variables.includes(p.variable));
    if (j >= 0) newValueOf.set(i, j);
  });
  const same = (a: ProgramSpec, b: ProgramSpec) => a.dtype === b.dtype && a.shape.join('x') === b.shape.join('x');
  const aliases = new Map<number, number>();
  params.forEach((m, a) => {
    const j = newValueOf.get(m.param);
    if (j === undefined || !plan.aliased.has(m.param) || !same(step.params[m.param], step.results[j])) return;
    const r = results.findIndex((x) => x.slot === j && x.step === steps - 1);
    if (r >= 0 && ![...aliases.values()].includes(r)) aliases.set(a, r);
  });

  const argName = (a: number) => `%arg${a}`;
  const mainArg = (i: number, k: number | null) => params.findIndex((m) => m.param === i && m.step === k);
  const call = (k: number) => (step.results.length === 1 ? `%s${k}` : `%s${k}:${step.results.length}`);
  const resultOf = (k: number, j: number) => (step.results.length === 1 ? `%s${k}` : `%s${k}#${j}`);
  const stepTypes = `(${step.params.map(type).join(', ')}) -> (${step.results.map(type).join(', ')})`;
  const calls: string[] = [];
  for (let k = 0; k < steps; k++) {
    const args = step.params.map((_, i) => {
      if (perStep(i)) return argName(mainArg(i, k));
      const j = newValueOf.get(i);
      return k > 0 && j !== undefined ? resultOf(k - 1, j) : argName(mainArg(i, null));
    });
    calls.push(`    ${call(k)} = "func.call"(${args.join(', ')}) {callee = @step} : ${stepTypes}`);
  }
  const paramSpecs = params.map((m) => step.params[m.param]);
  const resultSpecs = results.map((r) => ({ ...step.results[r.slot], placement: 'replicated' as const }));
  const decls = params.map((m, a) => {
    const spec = step.params[m.param];
    const attributes: string[] = [];
    if (annotate) attributes.push(`mhlo.sharding = "${shardingOf(spec.placement, spec.shape.length, step.numDevices)}"`);
    const alias = aliases.get(a);
    if (alias !== undefined) attributes.push(`tf.aliasing_output = ${alias} : i32`);
    return `${argName(a)}: ${type(spec)}${attributes.length > 0 ? ` {${attributes.join(', ')}}` : ''}`;
  });
  const resultTypes = resultSpecs.map((s) => (annotate ? `${type(s)} {mhlo.sharding = "{replicated}"}` : type(s)));
  const returned = results.map((r) => resultOf(r.step, r.slot));
  const text = [
    lines[0],
    `  func.func private @step(${step.params.map((s, i) => `%arg${i}: ${type(s)}`).join(', ')}) -> (${step.results.map(type).join(', ')}) {`,
    ...body,
    '  }',
    `  func.func public @main(${decls.join(', ')}) -> (${resultTypes.join(', ')}) {`,
    ...calls,
    `    "func.return"(${returned.join(', ')}) : (${resultSpecs.map(type).join(', ')}) -> ()`,
    '  }',
    '}',
    '',
  ].join('\n');
  return {
    text,
    hash: createHash('sha256').update(text).digest('hex'),
    steps,
    params,
    results,
    paramSpecs,
    resultSpecs,
    aliased: new Set(aliases.keys()),
  };
}
