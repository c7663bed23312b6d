// The addresses of a strategy over several servers: the option, a comma-separated address or
// variable, and the mistakes named with their fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '@strata/core';
import { XlaStrategy } from './xla-strategy.js';
import { XLA_PROFILE } from './xla-strategy-profile.js';
import { serverAddressesOf } from './mesh-setup.js';

describe('the server addresses of an XlaStrategy', () => {
  it('takes addresses, or a comma-separated address or variable; one address stays a single server', () => {
    const two = ['grpc://10.0.0.2:8470', 'grpc://10.0.0.3:8470'];
    assert.deepEqual(new XlaStrategy({ addresses: two, cores: 8 }).addresses, two);
    const joined = new XlaStrategy({ address: ' grpc://10.0.0.2:8470 , grpc://10.0.0.3:8470,', cores: 8 });
    assert.deepEqual(joined.addresses, two);
    assert.equal(joined.address, two.join(','));
    const saved = process.env.STRATA_XLA_ADDRESS;
    process.env.STRATA_XLA_ADDRESS = two.join(',');
    try {
      assert.deepEqual(serverAddressesOf({}, XLA_PROFILE), two);
    } finally {
      if (saved === undefined) delete process.env.STRATA_XLA_ADDRESS;
      else process.env.STRATA_XLA_ADDRESS = saved;
    }
    const one = new XlaStrategy({ addresses: ['grpc://10.0.0.2:8470'] });
    assert.deepEqual(one.addresses, ['grpc://10.0.0.2:8470']);
    assert.equal(one.address, 'grpc://10.0.0.2:8470');
  });

  it('refuses an empty list, an empty address, and address beside addresses, naming the fix', () => {
    const refused = (options: ConstructorParameters<typeof XlaStrategy>[0], pattern: RegExp) =>
      assert.throws(() => new XlaStrategy(options), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option' && pattern.test(e.message));
    refused({ addresses: [] }, /addresses: received \[\].*a non-empty array of server addresses/);
    refused({ addresses: ['grpc://10.0.0.2:8470', ' '] }, /Invalid option addresses/);
    refused({ address: ' , ' }, /Invalid option address.*several separated by commas/);
    refused({ address: 'grpc://10.0.0.2:8470', addresses: ['grpc://10.0.0.3:8470'] }, /Invalid option address.*left out when addresses is given/);
  });
});
