import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistributionStrategy } from '@strata/core';
import { stepRunner } from './step-runner.js';

/** A stand-in strategy that records how the step was run: through runStep or a compiled step. */
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
            return async (inputs: I) => {
              calls.push('replay');
              return fn(inputs);
            };
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
    assert.equal(await runner.run(3 as never), 6);
    assert.equal(await runner.run(4 as never), 8);
    assert.deepEqual(calls, ['compileStep bench training step', 'replay', 'replay']);
  });

  it('runs the step through runStep with --compile-steps off, or where the strategy does not compile steps', async () => {
    for (const [compiles, has, mode] of [[true, true, 'off'], [false, true, 'auto'], [false, false, 'auto']] as const) {
      const { strategy, calls } = fakeStrategy(compiles, has);
      const runner = stepRunner(strategy, double as never, mode);
      assert.equal(runner.mode, 'traced');
      assert.equal(await runner.run(5 as never), 10);
      assert.deepEqual(calls, ['runStep']);
    }
  });
});
