import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { withDatabase } from '@eventline/db';
import { createRegistryClient, registerCatalog } from '@eventline/schemas';
import {
  createTestDatabase,
  createTopic,
  stackEndpoints,
  testCatalog,
  testKafka,
  waitFor,
  type TestDatabase,
} from '@eventline/testkit';

// main.ts as a process: configured from its environment only, it serves
// the API and stops cleanly on SIGTERM.

const mainFile = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let db: TestDatabase;
let child: ChildProcess | undefined;

before(async () => {
  db = await createTestDatabase('t_orders_main');
  await registerCatalog(
    createRegistryClient({ url: stackEndpoints().registryUrl }),
    await testCatalog(db.name),
  );
  const admin = testKafka(db.name).admin();
  await admin.connect();
  await createTopic(admin, `${db.name}.orders.events`);
  await createTopic(admin, `${db.name}.orders.commands`);
  await admin.disconnect();
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
  }
  await db?.drop();
});

test('main.ts starts from the environment, serves orders and exits 0 on SIGTERM', async () => {
  const service = spawn(process.execPath, ['--import', 'tsx', mainFile], {
    env: {
      ...process.env,
      DATABASE_URL: withDatabase(stackEndpoints().pgAppUrl, db.name),
      TOPIC_PREFIX: `${db.name}.`,
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = service;
  let output = '';
  service.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });

  const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1], {
    what: 'the service to log its address',
    timeoutMs: 60_000,
  });
  const placed = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      customerId: '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d',
      items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }],
      currency: 'EUR',
    }),
  });
  assert.equal(placed.status, 202);
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM orders');
  assert.deepEqual(rows, [{ n: 1 }]);

  service.kill('SIGTERM');
  const [code] = await once(service, 'exit');
  assert.equal(code, 0);
  assert.match(output, /Shutting down/);
});
