import { comparison } from './elementwise.js';

/** GreaterEqual: elementwise comparison (GE) with broadcasting; bool result. */
export const lowering = comparison('GreaterEqual', 'GE');
