// The child-server manager: start on XLA:CPU with forced host devices, readiness, a token that
// never shows on the command line, the log on disk, stop; and a start that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { StrataError } from '@strata/core';
import { XlaClient } from '../client/xla-client.js';
import { ChildXlaServer } from './child-xla-server.js';
import { ownedChildren } from './exit-cleanup.js';
import { localXlaServerUnavailableReason } from '../local-xla-server.js';

const skip = localXlaServerUnavailableReason();

test('starts on XLA:CPU with 2 host devices, serves with its token, and stops', { skip }, async () => {
  const server = await ChildXlaServer.start({ platform: 'cpu', hostDevices: 2, token: true });
  try {
    assert.match(server.address, /^grpc:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.exit, null);
    assert.ok(ownedChildren().some((c) => c.pid === server.pid), 'registered to die with this process');
    const commandLine = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8');
    assert.match(commandLine, /--token-file/);
    assert.ok(server.token && !commandLine.includes(server.token), 'the token is not on the command line');
    const client = new XlaClient(server.address, server.token);
    try {
      const health = await client.health(5000);
      assert.equal(health.platform, 'cpu');
      assert.equal(health.device_count, 2);
    } finally {
      client.close();
    }
    await assert.rejects(new XlaClient(server.address).health(5000), /UNAUTHENTICATED|token/i);
    assert.match(server.logTail(), /listening on 127\.0\.0\.1/);
  } finally {
    await server.stop();
  }
  assert.equal((server as ChildXlaServer).exit?.requested, true);
  assert.ok(!existsSync(server.logPath), 'a stopped server leaves no folder behind');
  assert.ok(!ownedChildren().some((c) => c.pid === server.pid));
});

test('a server that exits before it serves: the error names its exit code and its log, which is kept', { skip }, async () => {
  await assert.rejects(ChildXlaServer.start({ extraArgs: ['--max-sessions', '0'] }), (e: unknown) => {
    assert.ok(e instanceof StrataError && e.kind === 'server-error', String(e));
    assert.match(e.message, /The local XLA server exited with code 2 before it served\. Its log is (\S+server\.log); it ends:/);
    assert.match(e.message, /--max-sessions 0 is out of range/);
    const log = /Its log is (\S+server\.log);/.exec(e.message)![1];
    assert.ok(existsSync(log));
    rmSync(dirname(log), { recursive: true, force: true });
    return true;
  });
});

test('a Python that does not exist: refused before anything starts, with the remedy', async () => {
  await assert.rejects(ChildXlaServer.start({ python: '/nonexistent/bin/python' }), (e: unknown) => {
    return e instanceof StrataError && e.kind === 'strategy-unavailable' && /no Python at \/nonexistent\/bin\/python/.test(e.message) && /STRATA_PYTHON/.test(e.message);
  });
});
