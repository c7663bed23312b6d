import { comparison } from './elementwise.js';

/** Equal: elementwise comparison (EQ) with broadcasting; bool result. */
export const lowering = comparison('Equal', 'EQ');
