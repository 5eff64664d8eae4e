import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { waitFor } from '@eventline/testkit';

import { startOrderSystem, type OrderSystem } from './system';

// 200 orders while the orchestrator process is killed with SIGKILL again and
// again mid-flight: every saga still ends, within a bound, and stock and
// payments reconcile exactly with the orders' final states.

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const orders = 200;
const kills = 3;
let system: OrderSystem;
let orchestrator: ChildProcess | undefined;

function startOrchestrator(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      ...system.processEnv('saga'),
      SAGA_STEP_DEADLINE_MS: '8000',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

before(async () => {
  system = await startOrderSystem({ external: ['saga'] });
  orchestrator = startOrchestrator();
});

after(async () => {
  if (orchestrator && orchestrator.exitCode === null) {
    orchestrator.kill('SIGTERM');
    await once(orchestrator, 'exit');
  }
  await system?.close();
});

test('orders placed while the orchestrator is killed repeatedly all end, and stock and payments reconcile', async () => {
  const skus = ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'];
  const stockBefore = await stockBySku();
  const declining = new Set<string>();

  // Place the orders in waves; between waves, kill the orchestrator and start another.
  const ids: string[] = [];
  for (let wave = 0; wave <= kills; wave++) {
    const size = Math.ceil(orders / (kills + 1));
    const placed = await Promise.all(
      Array.from({ length: size }, async (_, i) => {
        const n = wave * size + i;
        const customerId = randomUUID();
        if (n % 5 === 4) {
          declining.add(customerId);
          await system.databases.payments.pool.query(
            'INSERT INTO customer_limits (customer_id, limit_minor) VALUES ($1, 1)',
            [customerId],
          );
        }
        return placeOrder(customerId, skus[n % skus.length] ?? 'SKU-1', 1 + (n % 3));
      }),
    );
    ids.push(...placed);
    if (wave < kills) {
      // Let the wave get into the saga's steps, then pull the plug mid-flight.
      await waitFor(async () => (await activeSagas()) > 0, { what: 'sagas in flight' });
      orchestrator?.kill('SIGKILL');
      await once(orchestrator as ChildProcess, 'exit');
      orchestrator = startOrchestrator();
    }
  }
  assert.equal(ids.length, orders);

  // Every order leaves PENDING within a bound.
  await waitFor(
    async () => {
      const { rows } = await system.databases.orders.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM orders WHERE status = 'PENDING'",
      );
      return rows[0]?.n === 0;
    },
    { what: 'every order to end', timeoutMs: 240_000, intervalMs: 500 },
  );

  // Every saga is terminal, and COMPLETED ones match CONFIRMED orders.
  const sagas = await system.databases.saga.pool.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM saga_instances GROUP BY state',
  );
  const byState = Object.fromEntries(sagas.rows.map((r) => [r.state, r.n]));
  assert.deepEqual(
    Object.keys(byState).filter((s) => !['COMPLETED', 'COMPENSATED', 'FAILED'].includes(s)),
    [],
    `no saga left active: ${JSON.stringify(byState)}`,
  );
  const final = await system.databases.orders.pool.query<{
    id: string;
    status: string;
    sku: string;
    quantity: number;
  }>(
    "SELECT id, status, lines->0->>'sku' AS sku, (lines->0->>'quantity')::int AS quantity FROM orders",
  );
  const confirmed = final.rows.filter((o) => o.status === 'CONFIRMED');
  assert.equal(byState.COMPLETED ?? 0, confirmed.length);
  assert.ok(confirmed.length > 0 && confirmed.length < orders, 'both outcomes occurred');

  // Payments: authorized exactly for confirmed orders.
  const payments = await system.databases.payments.pool.query<{ order_id: string; state: string }>(
    'SELECT order_id, state FROM payments',
  );
  const authorized = new Set(
    payments.rows.filter((p) => p.state === 'authorized').map((p) => p.order_id),
  );
  assert.deepEqual(
    [...authorized].sort(),
    confirmed.map((o) => o.id).sort(),
    'authorized payments are exactly the confirmed orders',
  );

  // Stock: what left each SKU is exactly what confirmed orders took.
  const stockAfter = await stockBySku();
  for (const sku of skus) {
    const taken = confirmed.filter((o) => o.sku === sku).reduce((n, o) => n + o.quantity, 0);
    assert.equal((stockBefore[sku] ?? 0) - (stockAfter[sku] ?? 0), taken, `stock of ${sku}`);
  }
});

async function placeOrder(customerId: string, sku: string, quantity: number): Promise<string> {
  const response = await fetch(`${system.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      customerId,
      currency: 'EUR',
      items: [{ sku, quantity, unitPrice: 100 }],
    }),
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { id: string }).id;
}

/** Sagas between their first and last step: killing now interrupts them. */
async function activeSagas(): Promise<number> {
  const { rows } = await system.databases.saga.pool
    .query<{ n: number }>(
      "SELECT count(*)::int AS n FROM saga_instances WHERE state IN ('RUNNING', 'COMPENSATING')",
    )
    .catch(() => ({ rows: [{ n: 0 }] }));
  return rows[0]?.n ?? 0;
}

async function stockBySku(): Promise<Record<string, number>> {
  const { rows } = await system.databases.inventory.pool.query<{ sku: string; available: number }>(
    'SELECT sku, available FROM stock',
  );
  return Object.fromEntries(rows.map((r) => [r.sku, r.available]));
}
