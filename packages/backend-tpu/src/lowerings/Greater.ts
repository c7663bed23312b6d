import { comparison } from './elementwise.js';

/** Greater: elementwise comparison (GT) with broadcasting; bool result. */
export const lowering = comparison('Greater', 'GT');
