import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  type Decoded,
  type PaymentAuthorized,
  type PaymentDeclined,
  type PaymentRefunded,
} from '@eventline/schemas';
import {
  startServiceWorld,
  type ServiceWorld,
  waitFor,
  type Collector,
  type RecordProducer,
  type TestDatabase,
} from '@eventline/testkit';

import { startPaymentService, type PaymentService } from '../src/app';

// Payments on the real stack: commands go in on the test's own
// payments.commands, replies come back through the outbox and Debezium on its
// own payments.events. A customer without a limit row may pay up to 100000.

let db: TestDatabase;
let world: ServiceWorld<PaymentService>;
let service: PaymentService;
let producer: RecordProducer;
let replies: Collector;
let baseUrl: string;

before(async () => {
  world = await startServiceWorld({
    prefix: 't_pay',
    name: 'payment-service',
    database: 'payments',
    connectorFile: 'payments.json',
    topics: ['payments.commands', 'payments.events'],
    collect: 'payments.events',
    start: startPaymentService,
  });
  ({ db, service, producer } = world);
  replies = world.collected as Collector;
  baseUrl = service.url;
});

after(async () => {
  await world?.close();
});

interface Order {
  sagaId: string;
  orderId: string;
  customerId: string;
}

function newOrder(customerId: string = randomUUID()): Order {
  return { sagaId: randomUUID(), orderId: randomUUID(), customerId };
}

async function authorize(order: Order, amountMinor: number): Promise<void> {
  await producer.send(world.entry('eventline.payments.AuthorizePayment'), order.sagaId, {
    ...order,
    amountMinor,
    currency: 'EUR',
    occurredAt: new Date(),
    actor: 'system:test',
  });
}

async function refund(order: Order, paymentId: string, amountMinor: number): Promise<void> {
  await producer.send(world.entry('eventline.payments.RefundPayment'), order.sagaId, {
    sagaId: order.sagaId,
    orderId: order.orderId,
    paymentId,
    amountMinor,
    currency: 'EUR',
    occurredAt: new Date(),
    actor: 'system:test',
  });
}

/** Waits for `count` replies keyed by the saga, and returns them decoded in arrival order. */
async function repliesTo(sagaId: string, count = 1): Promise<Decoded[]> {
  const keyed = await waitFor(
    () => {
      const found = replies.received.filter((m) => m.key?.toString() === sagaId);
      return found.length >= count && found;
    },
    { what: `${count} replies to saga ${sagaId}`, timeoutMs: 60_000 },
  );
  return Promise.all(keyed.map((message) => producer.decode(message)));
}

async function paymentOf(orderId: string): Promise<{ state: string; amountMinor: number }> {
  const response = await fetch(`${baseUrl}/payments/${orderId}`);
  assert.equal(response.status, 200, `GET /payments/${orderId}`);
  const body = (await response.json()) as { state: string; amountMinor: number };
  return { state: body.state, amountMinor: body.amountMinor };
}

test('an amount within the default limit is authorized', async () => {
  const order = newOrder();

  await authorize(order, 100_000);

  const [reply] = await repliesTo(order.sagaId);
  assert.equal(reply?.fullName, 'eventline.payments.PaymentAuthorized');
  const { occurredAt, paymentId, ...value } = reply?.value as PaymentAuthorized;
  assert.ok(occurredAt instanceof Date);
  assert.match(paymentId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(value, {
    sagaId: order.sagaId,
    orderId: order.orderId,
    amountMinor: 100_000,
    currency: 'EUR',
    actor: 'system:payment-service',
  });
  assert.deepEqual(await paymentOf(order.orderId), { state: 'authorized', amountMinor: 100_000 });
});

test('an amount above the default limit is declined', async () => {
  const order = newOrder();

  await authorize(order, 100_001);

  const [reply] = await repliesTo(order.sagaId);
  assert.equal(reply?.fullName, 'eventline.payments.PaymentDeclined');
  const value = reply?.value as PaymentDeclined;
  assert.equal(value.reason, 'INSUFFICIENT_FUNDS');
  assert.equal(value.orderId, order.orderId);
  assert.equal(value.sagaId, order.sagaId);
  assert.deepEqual(await paymentOf(order.orderId), { state: 'declined', amountMinor: 100_001 });
});

test('a customer with a lower limit row is declined an amount the default would allow', async () => {
  const customerId = randomUUID();
  await db.pool.query('INSERT INTO customer_limits (customer_id, limit_minor) VALUES ($1, $2)', [
    customerId,
    5_000,
  ]);
  const within = newOrder(customerId);
  const above = newOrder(customerId);

  await authorize(within, 5_000);
  await authorize(above, 5_001);

  assert.equal(
    (await repliesTo(within.sagaId))[0]?.fullName,
    'eventline.payments.PaymentAuthorized',
  );
  const [declined] = await repliesTo(above.sagaId);
  assert.equal(declined?.fullName, 'eventline.payments.PaymentDeclined');
  assert.equal((declined?.value as PaymentDeclined).reason, 'INSUFFICIENT_FUNDS');
});

test('a refund after an authorization gives back the authorized amount', async () => {
  const order = newOrder();
  await authorize(order, 2_500);
  const [authorized] = await repliesTo(order.sagaId);
  const { paymentId } = authorized?.value as PaymentAuthorized;

  await refund(order, paymentId, 2_500);

  const [, refunded] = await repliesTo(order.sagaId, 2);
  assert.equal(refunded?.fullName, 'eventline.payments.PaymentRefunded');
  const value = refunded?.value as PaymentRefunded;
  assert.equal(value.paymentId, paymentId);
  assert.equal(value.amountMinor, 2_500);
  assert.equal(value.currency, 'EUR');
  assert.equal(value.sagaId, order.sagaId);
  assert.deepEqual(await paymentOf(order.orderId), { state: 'refunded', amountMinor: 2_500 });

  await refund(order, paymentId, 2_500);
  const [, , again] = await repliesTo(order.sagaId, 3);
  assert.equal((again?.value as PaymentRefunded).amountMinor, 2_500, 'a repeat names the same');
  assert.deepEqual(await paymentOf(order.orderId), { state: 'refunded', amountMinor: 2_500 });
});

test('a refund of an order never authorized answers PaymentRefunded with amount 0', async () => {
  const never = newOrder();
  const declined = newOrder();
  await authorize(declined, 1_000_000);
  await repliesTo(declined.sagaId);

  await refund(never, randomUUID(), 700);
  await refund(declined, randomUUID(), 1_000_000);

  const [neverReply] = await repliesTo(never.sagaId);
  assert.equal(neverReply?.fullName, 'eventline.payments.PaymentRefunded');
  assert.equal((neverReply?.value as PaymentRefunded).amountMinor, 0);
  assert.equal((neverReply?.value as PaymentRefunded).orderId, never.orderId);
  const notFound = await fetch(`${baseUrl}/payments/${never.orderId}`);
  assert.equal(notFound.status, 404, 'nothing is recorded for it');

  const [, declinedReply] = await repliesTo(declined.sagaId, 2);
  assert.equal(declinedReply?.fullName, 'eventline.payments.PaymentRefunded');
  assert.equal((declinedReply?.value as PaymentRefunded).amountMinor, 0);
  assert.deepEqual(await paymentOf(declined.orderId), {
    state: 'declined',
    amountMinor: 1_000_000,
  });
});

test('a repeated AuthorizePayment for an order answers with the recorded outcome', async () => {
  const authorizedOrder = newOrder();
  const declinedOrder = newOrder();

  await authorize(authorizedOrder, 90_000);
  await authorize(declinedOrder, 150_000);
  const [first] = await repliesTo(authorizedOrder.sagaId);
  await repliesTo(declinedOrder.sagaId);
  // The limits change between the two commands so that deciding again would
  // flip both outcomes; the recorded ones must stand.
  await db.pool.query(
    'INSERT INTO customer_limits (customer_id, limit_minor) VALUES ($1, 0), ($2, 1000000)',
    [authorizedOrder.customerId, declinedOrder.customerId],
  );
  await authorize(authorizedOrder, 90_000);
  await authorize(declinedOrder, 150_000);

  const [, second] = await repliesTo(authorizedOrder.sagaId, 2);
  assert.equal(second?.fullName, 'eventline.payments.PaymentAuthorized');
  assert.equal(
    (second?.value as PaymentAuthorized).paymentId,
    (first?.value as PaymentAuthorized).paymentId,
  );
  const [, declinedAgain] = await repliesTo(declinedOrder.sagaId, 2);
  assert.equal(declinedAgain?.fullName, 'eventline.payments.PaymentDeclined');
  const { rows } = await db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM payments WHERE order_id = ANY($1::uuid[])',
    [[authorizedOrder.orderId, declinedOrder.orderId]],
  );
  assert.equal(rows[0]?.n, 2);
});

test('GET /payments/:orderId refuses an id that is not a UUID', async () => {
  const response = await fetch(`${baseUrl}/payments/not-a-uuid`);
  assert.equal(response.status, 400);
});
