import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistributionStrategy } from '@strata/core';
import { stepRunner } from './step-runner.js';

/** A stand-in strategy that records how the step was run: through runStep, a compiled step, or several in one call (`many`). */
function fakeStrategy(compiles: boolean, withCompileStep: boolean): { strategy: DistributionStrategy; calls: string[] } {
  const calls: string[] = [];
  const strategy = {
    capabilities: () => ({ compilesSteps: compiles }),
    runStep: async <T>(step: () => T) => {
      calls.push('runStep');
      return step();
    },
    ...(withCompileStep
      ? {
          compileStep: <I, O>(fn: (inputs: I) => O, options?: { name?: string }) => {
            calls.push(`compileStep ${options?.name}`);
            return Object.assign(
              async (inputs: I) => {
                calls.push('replay');
                return fn(inputs);
              },
              {
                many: async (inputs: readonly I[]) => {
                  calls.push(`many ${inputs.length}`);
                  return inputs.map(fn);
                },
              },
            );
          },
        }
      : {}),
  } as unknown as DistributionStrategy;
  return { strategy, calls };
}

describe('stepRunner', () => {
  const double = (x: number) => 2 * x;

  it('compiles the step once where the strategy compiles steps, and replays it', async () => {
    const { strategy, calls } = fakeStrategy(true, true);
    const runner = stepRunner(strategy, double as never, 'auto');
    assert.equal(runner.mode, 'compiled');
    assert.deepEqual(await runner.run([3] as never), [6]);
    assert.deepEqual(await runner.run([4] as never), [8]);
    // Several steps (--steps-per-execution) in one call of the compiled step's `many`.
    assert.deepEqual(await runner.run([1, 2, 3] as never), [2, 4, 6]);
    assert.deepEqual(calls, ['compileStep bench training step', 'replay', 'replay', 'many 3']);
  });

  it('runs the step through runStep with --compile-steps off, or where the strategy does not compile steps', async () => {
    for (const [compiles, has, mode] of [[true, true, 'off'], [false, true, 'auto'], [false, false, 'auto']] as const) {
      const { strategy, calls } = fakeStrategy(compiles, has);
      const runner = stepRunner(strategy, double as never, mode);
      assert.equal(runner.mode, 'traced');
      assert.deepEqual(await runner.run([5, 6] as never), [10, 12]);
      assert.deepEqual(calls, ['runStep', 'runStep']);
    }
  });
});
