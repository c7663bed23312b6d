import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import { fusesWholeSteps } from './backend-traits.js';

it('fusesWholeSteps: only a backend that says so', () => {
  assert.equal(fusesWholeSteps({ fusesWholeSteps: true }), true);
  assert.equal(fusesWholeSteps({ fusesWholeSteps: 'yes' }), false);
  assert.equal(fusesWholeSteps({}), false);
  assert.equal(fusesWholeSteps(null), false);
  // tfjs's CPU backend compiles nothing.
  assert.equal(fusesWholeSteps(), false);
});
