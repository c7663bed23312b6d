import { comparison } from './elementwise.js';

/** Less: elementwise comparison (LT) with broadcasting; bool result. */
export const lowering = comparison('Less', 'LT');
