import { cumulative } from './cumulative.js';

/** Cumsum along attrs.axis (exclusive and reverse as tfjs). */
export const lowering = cumulative('Cumsum', 'add', 0);
