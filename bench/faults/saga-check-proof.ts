// Proof that the saga checker can fail: on a world whose orders all ended
// cleanly, break one invariant at a time in the services' databases (as a
// bug would), check that the checker names it, and put the row back.
import { randomUUID } from 'node:crypto';

import { checkSagas } from './saga-check';
import type { SagaWorld } from './saga-world';

interface Tamper {
  name: string;
  /** A part of the violation sentence the checker must report. */
  expect: string;
  apply(world: SagaWorld): Promise<() => Promise<void>>;
}

async function oneOrder(world: SagaWorld, status: string): Promise<string> {
  const { rows } = await world.system.databases.orders.pool.query<{ id: string }>(
    'SELECT id FROM orders WHERE status = $1 LIMIT 1',
    [status],
  );
  const id = rows[0]?.id;
  if (id === undefined) {
    throw new Error(`The proof needs a ${status} order and has none`);
  }
  return id;
}

const tampers: Tamper[] = [
  {
    name: 'one unit of stock lost',
    expect: 'stock of SKU-1 does not reconcile',
    async apply(world) {
      const pool = world.system.databases.inventory.pool;
      await pool.query("UPDATE stock SET available = available - 1 WHERE sku = 'SKU-1'");
      return async () => {
        await pool.query("UPDATE stock SET available = available + 1 WHERE sku = 'SKU-1'");
      };
    },
  },
  {
    name: 'a cancelled order charged',
    expect: 'cancelled orders still have an authorized payment',
    async apply(world) {
      const pool = world.system.databases.payments.pool;
      const id = await oneOrder(world, 'CANCELLED');
      const { rows } = await pool.query<{ state: string; decline_reason: string | null }>(
        'SELECT state, decline_reason FROM payments WHERE order_id = $1',
        [id],
      );
      const before = rows[0];
      if (!before) {
        throw new Error(`The proof needs a payment row for cancelled order ${id}`);
      }
      await pool.query(
        "UPDATE payments SET state = 'authorized', decline_reason = NULL WHERE order_id = $1",
        [id],
      );
      return async () => {
        await pool.query(
          'UPDATE payments SET state = $2, decline_reason = $3 WHERE order_id = $1',
          [id, before.state, before.decline_reason],
        );
      };
    },
  },
  {
    name: 'a notification missing',
    expect: 'ended orders do not have exactly one notification',
    async apply(world) {
      const pool = world.system.databases.notifications.pool;
      const id = await oneOrder(world, 'CONFIRMED');
      await pool.query('DELETE FROM notifications WHERE order_id = $1', [id]);
      return async () => {
        await pool.query(
          "INSERT INTO notifications (order_id, kind) VALUES ($1, 'order-confirmed')",
          [id],
        );
      };
    },
  },
  {
    name: 'an order left PENDING',
    expect: 'orders are still PENDING',
    async apply(world) {
      const pool = world.system.databases.orders.pool;
      const id = await oneOrder(world, 'CONFIRMED');
      await pool.query("UPDATE orders SET status = 'PENDING' WHERE id = $1", [id]);
      return async () => {
        await pool.query("UPDATE orders SET status = 'CONFIRMED' WHERE id = $1", [id]);
      };
    },
  },
  {
    name: 'a saga moved after it ended',
    expect: 'transitions moved a saga that had ended',
    async apply(world) {
      const pool = world.system.databases.saga.pool;
      const id = await oneOrder(world, 'CONFIRMED');
      await pool.query(
        `INSERT INTO saga_transitions (saga_id, version, kind, from_state, to_state, step_index, step_name)
         SELECT id, version + 1, 'STEP_SUCCEEDED', state, state, step_index, 'proof'
           FROM saga_instances WHERE id = $1`,
        [id],
      );
      return async () => {
        await pool.query(
          "DELETE FROM saga_transitions WHERE saga_id = $1 AND step_name = 'proof'",
          [id],
        );
      };
    },
  },
  {
    name: 'a retry answered with another order',
    expect: 'Idempotency-Keys were answered with more than one order id',
    async apply(world) {
      const order = world.placed[0];
      order?.answeredIds.push(randomUUID());
      return async () => {
        order?.answeredIds.pop();
      };
    },
  },
];

/** Returns one sentence per tamper the checker failed to report (empty: the checker bites). */
export async function proveChecker(world: SagaWorld): Promise<string[]> {
  const misses: string[] = [];
  const clean = await checkSagas(world, 120_000);
  if (clean.violations.length > 0) {
    return [`the world was not clean before tampering: ${clean.violations.join('; ')}`];
  }
  for (const tamper of tampers) {
    const undo = await tamper.apply(world);
    try {
      const verdict = await checkSagas(world, 1_500);
      if (!verdict.violations.some((v) => v.includes(tamper.expect))) {
        misses.push(
          `${tamper.name}: not reported (got: ${verdict.violations.join('; ') || 'none'})`,
        );
      }
    } finally {
      await undo();
    }
  }
  const after = await checkSagas(world, 10_000);
  if (after.violations.length > 0) {
    misses.push(`the world did not come back clean: ${after.violations.join('; ')}`);
  }
  return misses;
}
