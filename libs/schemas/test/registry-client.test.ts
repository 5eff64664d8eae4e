import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';

import type { LogFields, Logger } from '@eventline/observability';

import { createRegistryClient, SchemaError } from '../src/index';

/** A loopback port with nothing listening: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an unreachable registry is retried with a log line naming it, then a typed error', async () => {
  const warnings: LogFields[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (fields) => warnings.push(fields),
    child: () => logger,
  };
  const url = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
  const registry = createRegistryClient({ url, logger, attempts: 3 });

  await assert.rejects(
    registry.subjects(),
    (error: unknown) =>
      error instanceof SchemaError &&
      error.code === 'REGISTRY_UNREACHABLE' &&
      error.retriable &&
      error.message.includes(url),
  );
  assert.equal(warnings.length, 2, 'one warning per retry');
  assert.deepEqual(
    warnings.map((w) => [w.component, w.url]),
    [
      ['schema registry', url],
      ['schema registry', url],
    ],
  );
});
