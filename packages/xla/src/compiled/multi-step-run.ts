import * as tf from '@tensorflow/tfjs-core';
import type { XlaBackend } from '../lazy/xla-backend.js';
import type { MultiStepModule } from './multi-step-module.js';
import { changesEveryCall, deliverInOrder, redoHostWork, ReplayArguments } from './replay-arguments.js';
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
  const dynamic = leavesOfStep.map(() => redoHostWork(plan, true));
  const args = new ReplayArguments(backend, plan);
  const params = module.params.map(({ param, step }) => args.recordOf(plan.params[param], leavesOfStep[step ?? 0], dynamic[step ?? 0]));
  const donate = (a: number) => {
    const p = plan.params[module.params[a].param];
    return p.kind === 'variable' && module.aliased.has(a) && plan.written.has(p.variable) && backend.holdsAlone(params[a]);
  };
  let result;
  try {
    await backend.compileProgram(module.hash, module.text, module.paramSpecs, module.resultSpecs);
    result = await backend.executeCompiled(module.hash, params, (a) => changesEveryCall(plan.params[module.params[a].param]), donate, asynchronous);
  } finally {
    args.drop();
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
  deliverInOrder(plan, delivered.sort((a, b) => a.step - b.step || a.event - b.event));
  return outputs;
}
