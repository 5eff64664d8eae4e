import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@eventline/testkit';

import { startOrderSystem, type OrderSystem } from './system';

// The order system end to end on the real stack: REST in, outbox, Debezium,
// Kafka, the saga and its participants, and out to the order's final state.

interface OrderView {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  cancelReason: string | null;
}

describe('orders through the saga', () => {
  let system: OrderSystem;

  before(async () => {
    system = await startOrderSystem();
  });

  after(async () => {
    await system?.close();
  });

  async function placeOrder(
    customerId: string,
    items: { sku: string; quantity: number; unitPrice: number }[],
  ) {
    const response = await fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ customerId, currency: 'EUR', items }),
    });
    assert.equal(response.status, 202, await response.clone().text());
    return ((await response.json()) as { id: string }).id;
  }

  async function finalOrder(id: string, timeoutMs = 60_000): Promise<OrderView> {
    return waitFor(
      async () => {
        const order = (await (await fetch(`${system.apiUrl}/orders/${id}`)).json()) as OrderView;
        return order.status === 'PENDING' ? undefined : order;
      },
      { what: `order ${id} to leave PENDING`, timeoutMs, intervalMs: 200 },
    );
  }

  async function sagaOf(id: string) {
    return (await (await fetch(`${system.sagaUrl}/sagas/${id}`)).json()) as {
      state: string;
      version: number;
      transitions: { replyType: string | null; toState: string }[];
    };
  }

  async function stock(sku: string): Promise<{ available: number; reserved: number }> {
    const { rows } = await system.databases.inventory.pool.query<{
      available: number;
      reserved: number;
    }>('SELECT available, reserved FROM stock WHERE sku = $1', [sku]);
    return rows[0] ?? { available: -1, reserved: -1 };
  }

  async function payment(orderId: string): Promise<string | undefined> {
    const { rows } = await system.databases.payments.pool.query<{ state: string }>(
      'SELECT state FROM payments WHERE order_id = $1',
      [orderId],
    );
    return rows[0]?.state;
  }

  test('a placed order completes: stock taken, payment authorized, customer notified', async () => {
    const before = await stock('SKU-1');
    const id = await placeOrder(randomUUID(), [{ sku: 'SKU-1', quantity: 2, unitPrice: 1250 }]);

    const order = await finalOrder(id);
    assert.equal(order.status, 'CONFIRMED');
    assert.equal((await sagaOf(id)).state, 'COMPLETED');
    assert.deepEqual(await stock('SKU-1'), {
      available: before.available - 2,
      reserved: before.reserved + 2,
    });
    assert.equal(await payment(id), 'authorized');
    await waitFor(
      async () => {
        const { rowCount } = await system.databases.notifications.pool.query(
          "SELECT 1 FROM notifications WHERE order_id = $1 AND kind = 'order-confirmed'",
          [id],
        );
        return rowCount === 1;
      },
      { what: 'the confirmation notification' },
    );
  });

  test('a declined payment cancels the order and restores the stock exactly', async () => {
    const customerId = randomUUID();
    await system.databases.payments.pool.query(
      'INSERT INTO customer_limits (customer_id, limit_minor) VALUES ($1, 100)',
      [customerId],
    );
    const before = await stock('SKU-2');
    const id = await placeOrder(customerId, [{ sku: 'SKU-2', quantity: 3, unitPrice: 1000 }]);

    const order = await finalOrder(id);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'PAYMENT_DECLINED');
    assert.equal((await sagaOf(id)).state, 'COMPENSATED');
    assert.deepEqual(await stock('SKU-2'), before, 'stock restored exactly');
    assert.notEqual(await payment(id), 'authorized', 'nothing captured');
  });

  test('a silent payment service times the step out; the saga compensates and a late reply changes nothing', async () => {
    await system.stop('payments');
    const before = await stock('SKU-3');
    const id = await placeOrder(randomUUID(), [{ sku: 'SKU-3', quantity: 1, unitPrice: 700 }]);

    // The step's deadline passes: the saga starts compensating with the refund.
    await waitFor(async () => (await sagaOf(id).catch(() => undefined))?.state === 'COMPENSATING', {
      what: 'compensation to start',
      timeoutMs: 30_000,
    });
    // The payment service comes back and handles AuthorizePayment late, then the refund.
    await system.start('payments');
    const order = await finalOrder(id);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'TIMED_OUT');

    const saga = await sagaOf(id);
    assert.equal(saga.state, 'COMPENSATED');
    assert.ok(
      !saga.transitions.some((t) => t.replyType === 'eventline.payments.PaymentAuthorized'),
      'the late authorization moved nothing',
    );
    assert.deepEqual(await stock('SKU-3'), before, 'stock restored exactly');
    await waitFor(async () => (await payment(id)) === 'refunded', {
      what: 'the late authorization to be refunded',
    });
    const after = await sagaOf(id);
    assert.equal(after.version, saga.version, 'nothing moved the saga after it ended');
  });
});
