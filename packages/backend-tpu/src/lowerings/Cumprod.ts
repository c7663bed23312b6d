import { cumulative } from './cumulative.js';

/** Cumprod along attrs.axis (exclusive and reverse as tfjs); Prod's gradient uses it. */
export const lowering = cumulative('Cumprod', 'multiply', 1);
