import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { locateNodeGyp } from './node-gyp.js';

const missing = (id: string): string => {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('locateNodeGyp', () => {
  it("takes the project's own node-gyp first", () => {
    const found = locateNodeGyp({ resolve: (id) => `/app/node_modules/${id}`, env: { npm_config_node_gyp: '/usr/lib/npm/node-gyp.js' }, exists: () => true });
    assert.deepEqual(found, { script: '/app/node_modules/node-gyp/bin/node-gyp.js', source: 'project' });
  });

  it('falls back to the node-gyp npm names in npm_config_node_gyp (npx, npm scripts)', () => {
    const script = '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js';
    const found = locateNodeGyp({ resolve: missing, env: { npm_config_node_gyp: script }, exists: (p) => p === script });
    assert.deepEqual(found, { script, source: 'npm' });
  });

  it('says how to install node-gyp when neither is there', () => {
    assert.throws(
      () => locateNodeGyp({ resolve: missing, env: {}, exists: () => false }),
      (e: unknown) => e instanceof StrataError && e.kind === 'strategy-unavailable' && /node-gyp.*is not installed/.test(e.message) && /npm install --save-dev node-gyp/.test(e.message),
    );
  });

  it('names an npm_config_node_gyp that points nowhere', () => {
    assert.throws(
      () => locateNodeGyp({ resolve: missing, env: { npm_config_node_gyp: '/gone/node-gyp.js' }, exists: () => false }),
      (e: unknown) => e instanceof StrataError && e.message.includes('"/gone/node-gyp.js"') && e.value === '/gone/node-gyp.js',
    );
  });

  it('finds the node-gyp this workspace installs', () => {
    assert.match(locateNodeGyp({ env: {} }).script, /node_modules\/node-gyp\/bin\/node-gyp\.js$/);
  });
});
