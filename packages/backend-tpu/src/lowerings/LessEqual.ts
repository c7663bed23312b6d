import { comparison } from './elementwise.js';

/** LessEqual: elementwise comparison (LE) with broadcasting; bool result. */
export const lowering = comparison('LessEqual', 'LE');
