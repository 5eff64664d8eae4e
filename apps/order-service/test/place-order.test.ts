import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { waitFor } from '@eventline/testkit';

import { canonicalHash } from '../src/canonical-json';
import { parsePlaceOrder } from '../src/request-validation';
import { orderBody, startOrderWorld, type OrderWorld } from './world';

// Placing an order stores it and publishes OrderPlaced in one transaction,
// captured by Debezium. The events topic has one partition here, so an
// event that arrives proves every event committed before it arrived too.

let world: OrderWorld;

before(async () => {
  world = await startOrderWorld({ capture: true, eventPartitions: 1 });
});

after(async () => {
  await world?.stop();
});

const placed = 'eventline.orders.OrderPlaced';

/** Places an order with no idempotency key and waits for its event: everything before is in. */
async function placeSentinel(): Promise<void> {
  const answer = await world.placeOrder(orderBody());
  assert.equal(answer.status, 202);
  const id = (answer.body as { id: string }).id;
  await world.waitForEvent(placed, (event) => event.key === id, 'the sentinel OrderPlaced');
}

async function eventsFor(orderId: string) {
  return (await world.events()).filter(
    (event) => event.decoded.fullName === placed && event.key === orderId,
  );
}

test('a valid order is accepted and OrderPlaced carries its lines, total and context', async () => {
  const correlationId = randomUUID();
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const answer = await world.placeOrder(orderBody(), {
    'x-correlation-id': correlationId,
    traceparent: `00-${traceId}-b7ad6b7169203331-01`,
  });

  assert.equal(answer.status, 202);
  const body = answer.body as { id: string; status: string };
  assert.equal(body.status, 'PENDING');
  assert.match(body.id, /^[0-9a-f-]{36}$/);
  assert.equal(answer.headers.get('location'), `/orders/${body.id}`);
  assert.equal(answer.headers.get('x-correlation-id'), correlationId);

  const event = await world.waitForEvent(placed, (e) => e.key === body.id, 'OrderPlaced');
  // Decoded records are class instances; their fields are what counts.
  const lines = (event.value.lines as object[]).map((line) => ({ ...line }));
  assert.deepEqual(lines, [
    { sku: 'SKU-RED', quantity: 2, unitPriceMinor: 1250 },
    { sku: 'SKU-BLUE', quantity: 1, unitPriceMinor: 999 },
  ]);
  assert.equal(event.value.totalMinor, 2 * 1250 + 999);
  assert.equal(event.value.currency, 'EUR');
  assert.equal(event.value.orderId, body.id);
  assert.equal(event.value.customerId, orderBody().customerId);
  assert.equal(event.value.actor, `user:${orderBody().customerId}`);
  assert.ok(event.value.occurredAt instanceof Date);
  assert.equal(event.headers.correlationId, correlationId);
  assert.equal(event.headers.actor, `user:${orderBody().customerId}`);
  assert.equal(event.headers.traceparent?.split('-')[1], traceId, 'the request trace continues');

  const { rows } = await world.db.pool.query(
    'SELECT status, total_minor, currency FROM orders WHERE id = $1',
    [body.id],
  );
  assert.deepEqual(rows, [{ status: 'PENDING', total_minor: '3499', currency: 'EUR' }]);
});

test('a retry with the same Idempotency-Key answers the same order and publishes nothing new', async () => {
  const key = `retry-${randomUUID()}`;
  const first = await world.placeOrder(orderBody(), { 'Idempotency-Key': key });
  assert.equal(first.status, 202);
  const id = (first.body as { id: string }).id;
  const rowsBefore = await world.countOrders();

  // The same body with its keys in another order is the same request.
  const body = orderBody();
  const reordered = { currency: body.currency, items: body.items, customerId: body.customerId };
  const retry = await world.placeOrder(reordered, { 'Idempotency-Key': key });

  assert.equal(retry.status, 202);
  assert.deepEqual(retry.body, { id, status: 'PENDING' });
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.equal(retry.headers.get('x-correlation-id'), null, 'no correlation id is invented');
  assert.equal(retry.headers.get('location'), `/orders/${id}`);
  assert.equal(await world.countOrders(), rowsBefore, 'the retry wrote no order');
  await placeSentinel();
  assert.equal((await eventsFor(id)).length, 1, 'one OrderPlaced for the order');
});

test('concurrent requests with one Idempotency-Key place a single order', async () => {
  const key = `race-${randomUUID()}`;
  const rowsBefore = await world.countOrders();

  const answers = await Promise.all(
    Array.from({ length: 8 }, () => world.placeOrder(orderBody(), { 'Idempotency-Key': key })),
  );

  const ids = new Set(answers.map((answer) => (answer.body as { id: string }).id));
  assert.deepEqual(
    answers.map((answer) => answer.status),
    Array(8).fill(202),
  );
  assert.equal(ids.size, 1, 'every answer names the same order');
  assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === null).length, 1);
  assert.equal(await world.countOrders(), rowsBefore + 1);
  await placeSentinel();
  assert.equal((await eventsFor([...ids][0] as string)).length, 1);
});

/**
 * Holds an uncommitted order with `key` (as a concurrent request would),
 * sends the POST, waits until its insert blocks on the key's unique index,
 * then ends the holding transaction with `end`.
 */
async function raceHeldKey(key: string, end: 'COMMIT' | 'ROLLBACK', heldId: string) {
  const holder = await world.db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(
      `INSERT INTO orders (id, customer_id, status, lines, total_minor, currency,
         idempotency_key, request_hash)
       VALUES ($1, $2, 'PENDING', '[{"sku":"SKU-RED","quantity":1,"unitPriceMinor":1}]', 1,
         'EUR', $3, $4)`,
      [heldId, orderBody().customerId, key, canonicalHash(parsePlaceOrder(orderBody()))],
    );
    const answer = world.placeOrder(orderBody(), { 'Idempotency-Key': key });
    await waitFor(
      async () => {
        const { rows } = await world.db.adminPool.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE 'INSERT INTO orders%'`,
        );
        return rows.length > 0;
      },
      { what: 'the POST to wait on the held key' },
    );
    await holder.query(end);
    return await answer;
  } finally {
    holder.release();
  }
}

test('a request racing an uncommitted order with its key answers that order once it commits', async () => {
  const key = `held-${randomUUID()}`;
  const heldId = randomUUID();
  const rowsBefore = await world.countOrders();

  const answer = await raceHeldKey(key, 'COMMIT', heldId);

  assert.equal(answer.status, 202);
  assert.deepEqual(answer.body, { id: heldId, status: 'PENDING' });
  assert.equal(answer.headers.get('idempotent-replayed'), 'true');
  assert.equal(await world.countOrders(), rowsBefore + 1, 'only the held order');
});

test('a request racing an uncommitted order with its key places its own when that rolls back', async () => {
  const key = `rolled-back-${randomUUID()}`;
  const heldId = randomUUID();
  const rowsBefore = await world.countOrders();

  const answer = await raceHeldKey(key, 'ROLLBACK', heldId);

  assert.equal(answer.status, 202);
  const id = (answer.body as { id: string }).id;
  assert.notEqual(id, heldId);
  assert.equal(answer.headers.get('idempotent-replayed'), null);
  assert.equal(await world.countOrders(), rowsBefore + 1);
  await world.waitForEvent(placed, (event) => event.key === id, 'its OrderPlaced');
});

test('an Idempotency-Key reused with another body is refused and writes nothing', async () => {
  const key = `reuse-${randomUUID()}`;
  const first = await world.placeOrder(orderBody(), { 'Idempotency-Key': key });
  assert.equal(first.status, 202);
  const rowsBefore = await world.countOrders();

  const other = await world.placeOrder(orderBody({ currency: 'USD' }), { 'Idempotency-Key': key });

  assert.equal(other.status, 422);
  assert.equal(other.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const problem = other.body as { type: string; detail: string; errors: { path: string }[] };
  assert.equal(problem.type, 'urn:eventline:problem:idempotency-key-reused');
  assert.match(problem.detail, new RegExp(key));
  assert.match(problem.detail, new RegExp((first.body as { id: string }).id));
  assert.deepEqual(
    problem.errors.map((error) => error.path),
    ['/Idempotency-Key'],
  );
  assert.equal(await world.countOrders(), rowsBefore);
});

test('without an Idempotency-Key two equal requests are two orders', async () => {
  const rowsBefore = await world.countOrders();
  const one = await world.placeOrder(orderBody());
  const two = await world.placeOrder(orderBody());

  assert.equal(one.status, 202);
  assert.equal(two.status, 202);
  assert.notEqual((one.body as { id: string }).id, (two.body as { id: string }).id);
  assert.equal(await world.countOrders(), rowsBefore + 2);
});

test('an invalid correlation id or traceparent is replaced, not carried', async () => {
  const answer = await world.placeOrder(orderBody(), {
    'x-correlation-id': 'not-a-uuid',
    traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01',
  });

  assert.equal(answer.status, 202);
  const id = (answer.body as { id: string }).id;
  const correlationId = answer.headers.get('x-correlation-id') ?? '';
  assert.match(correlationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const event = await world.waitForEvent(placed, (e) => e.key === id, 'OrderPlaced');
  assert.equal(event.headers.correlationId, correlationId);
  const traceId = event.headers.traceparent?.split('-')[1];
  assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
  assert.notEqual(traceId, '0'.repeat(32), 'a new trace, not the invalid one');
});

test('the service watches the replication slot that captures its outbox, on /metrics', async () => {
  const slot = world.db.name;
  const text = await waitFor(
    async () => {
      const body = String((await world.request('GET', '/metrics')).body);
      return body.includes(`eventline_capture_slot_alert{slot="${slot}"}`) ? body : undefined;
    },
    { what: `the capture gauges of slot ${slot}` },
  );

  assert.match(text, new RegExp(`eventline_capture_slot_alert\\{slot="${slot}"\\} 0`));
  assert.match(text, new RegExp(`eventline_capture_slot_pending_bytes\\{slot="${slot}"\\} \\d+`));
  assert.match(text, new RegExp(`eventline_capture_slot_retained_bytes\\{slot="${slot}"\\} \\d+`));
});
