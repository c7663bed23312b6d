import { i64s, pads } from '../hlo/hlo-builder.js';
import { typeText } from '../hlo/hlo-types.js';
import { nanAsNegInf, poolInfo, windowOf } from './pool.js';
import type { KernelLowering } from './kernel-lowering.js';

/** MaxPoolGrad: select_and_scatter routes each dy to its window's maximum (as jax's max-pool vjp). */
export const lowering: KernelLowering = {
  kernelName: 'MaxPoolGrad',
  inputs: ['dy', 'input', 'output'],
  infer: ([, x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [dy, x], attrs) => {
    const info = poolInfo(x!.type.shape, attrs);
    const { window, strides, padding } = windowOf(info);
    const elem = x!.type.elem;
    const s = typeText({ shape: [], elem });
    const [p, q, c] = [b.fresh(), b.fresh(), b.fresh()];
    const select = [
      '{',
      `    ^bb0(${p}: ${s}, ${q}: ${s}):`,
      `      ${c} = "stablehlo.compare"(${p}, ${q}) <{compare_type = #stablehlo<comparison_type FLOAT>, comparison_direction = #stablehlo<comparison_direction GE>}> : (${s}, ${s}) -> tensor<i1>`,
      `      "stablehlo.return"(${c}) : (tensor<i1>) -> ()`,
      '    }',
    ].join('\n');
    const scatter = b.combinerRegion('add', elem);
    const init = b.constant(0, elem);
    const props = `padding = ${pads(padding)}, window_dimensions = ${i64s(window)}, window_strides = ${i64s(strides)}`;
    // The window's maximum as MaxPool found it (NaNs skipped), from the same cleaned input.
    return [b.op('stablehlo.select_and_scatter', [nanAsNegInf(b, x!), dy!, init], x!.type, props, `${select}, ${scatter}`)];
  },
};
