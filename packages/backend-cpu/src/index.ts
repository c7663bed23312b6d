export { CpuStrategy, type CpuStrategyOptions } from './cpu-strategy.js';
export * from '@strata/native-engine';
export { default } from './cpu-module.js';
