// Everything data loading exports. The package index re-exports it:
//   export * from './data/index.js';
export { DataLoader, sampleContext, type DataLoaderOptions } from './data-loader.js';
export { defaultCollate, type Batch } from './collate.js';
export { arrayDataset, type Dataset, type HostTensor, type Sample, type SampleContext, type WorkerSource, type WorkerSourcedDataset } from './dataset.js';
export type { Sampler } from './sampler.js';
export { WeightedRandomSampler, type WeightedRandomSamplerOptions } from './weighted-random-sampler.js';
export { WorkerPool, workerEntryPath } from './worker-pool.js';
