import * as tf from '@tensorflow/tfjs-core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { XlaBackend } from '../lazy/xla-backend.js';
import type { MultiStepModule } from './multi-step-module.js';
import type { ReplayPlan } from './replay-plan.js';
import type { Leaf } from './step-leaves.js';

/**
 * Replays a plan for several steps in one execution of its multi-step module: the host work of
 * every step first, in order (each step's dynamic scalars read after the previous step's host
 * effects, as consecutive replays would), then one Execute on every step's inputs and the
 * variables' current buffers, then the variables rebound to the last step's values and each
 * step's outputs and deliveries handed over in step order. Returns each step's outputs by leaf.
 */
export async function replaySteps(
  backend: XlaBackend,
  plan: ReplayPlan,
  module: MultiStepModule,
  leavesOfStep: readonly (readonly Leaf[])[],
  asynchronous: boolean,
): Promise<(tf.Tensor | undefined)[][]> {
  const dynamic = leavesOfStep.map(() => {
    const read = new Map<number, number>();
    plan.events.forEach((e, i) => {
      if (e.kind === 'dynamic') read.set(i, e.read());
      else if (e.kind === 'effect') e.effect();
    });
    return read;
  });
  const temporaries: TensorRecord[] = [];
  const scalar = (value: number, dtype: 'float32' | 'int32') => {
    const r = backend.hostRecord(dtype === 'int32' ? Int32Array.of(value) : Float32Array.of(value), [], dtype);
    temporaries.push(r);
    return r;
  };
  const params = module.params.map(({ param, step }): TensorRecord => {
    const p = plan.params[param];
    switch (p.kind) {
      case 'input': {
        const leaf = leavesOfStep[step!][p.leaf];
        return leaf instanceof tf.Tensor ? backend.recordOf(leaf.dataId)! : scalar(leaf as number, 'float32');
      }
      case 'dynamic': {
        const event = plan.events[p.event];
        return scalar(dynamic[step!].get(p.event)!, event.kind === 'dynamic' ? event.dtype : 'float32');
      }
      case 'variable':
        return backend.recordOf(p.variable.dataId)!;
      case 'constant':
      case 'persistent':
        return p.record;
    }
  });
  const donate = (a: number) => {
    const p = plan.params[module.params[a].param];
    return p.kind === 'variable' && module.aliased.has(a) && plan.written.has(p.variable) && backend.holdsAlone(params[a]);
  };
  const literal = (a: number) => {
    const kind = plan.params[module.params[a].param].kind;
    return kind !== 'constant' && kind !== 'persistent';
  };
  let result;
  try {
    await backend.compileProgram(module.hash, module.text, module.paramSpecs, module.resultSpecs);
    result = await backend.executeCompiled(module.hash, params, literal, donate, asynchronous);
  } finally {
    for (const r of temporaries) backend.dropRecord(r);
  }
  const { handles, values } = result;
  const wrap = (i: number) => {
    const spec = module.resultSpecs[i];
    const shape = [...spec.shape];
    return tf.engine().makeTensorFromDataId(backend.adoptResult(handles[i], values[i], shape, spec.dtype), shape, spec.dtype, backend);
  };
  const outputs: (tf.Tensor | undefined)[][] = leavesOfStep.map(() => []);
  const delivered: { step: number; event: number; tensor: tf.Tensor }[] = [];
  module.results.forEach(({ slot: j, step }, i) => {
    const slot = plan.results[j];
    if (step === module.steps - 1) {
      for (const v of slot.variables) {
        const t = wrap(i);
        v.assign(t);
        t.dispose();
      }
    }
    for (const leaf of slot.outputs) outputs[step][leaf] = wrap(i);
    for (const event of slot.deliveries) delivered.push({ step, event, tensor: wrap(i) });
  });
  delivered.sort((a, b) => a.step - b.step || a.event - b.event);
  for (const { event, tensor } of delivered) {
    const e = plan.events[event];
    if (e.kind === 'delivery') e.deliver(tensor);
    tensor.dispose();
  }
  return outputs;
}
