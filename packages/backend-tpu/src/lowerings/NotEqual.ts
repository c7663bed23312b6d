import { comparison } from './elementwise.js';

/** NotEqual: elementwise comparison (NE) with broadcasting; bool result. */
export const lowering = comparison('NotEqual', 'NE');
