export { CpuStrategy, type CpuStrategyOptions } from './cpu-strategy.js';
export * from './native/index.js';
export { default } from './cpu-module.js';
