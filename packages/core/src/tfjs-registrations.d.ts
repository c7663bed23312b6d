// The types of dist/tfjs-registrations.js, which the build generates from tfjs-core's own
// gradient and chained-op modules (scripts/bundle-tfjs-registrations.mjs). Importing it
// installs nothing: it holds what tfjs-core would register.
import type { GradConfig } from '@tensorflow/tfjs-core';

/** Every gradient config tfjs-core registers, in its order. */
export declare const gradientConfigs: readonly GradConfig[];

/** Every chained op tfjs-core adds to Tensor.prototype (`x.reshape(...)`), by method name. */
export declare const tensorMethods: Readonly<Record<string, (...args: never[]) => unknown>>;
