import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { listParked } from '@eventline/consumer';
import { waitFor } from '@eventline/testkit';

import { orderBody, startOrderWorld, type OrderWorld, type ReadEvent } from './world';

// The saga's commands, sent to the test's orders.commands topic the way the
// saga's outbox would (key = saga id = order id), move an order to its final
// state; the answers come back through this service's outbox and Debezium.

let world: OrderWorld;

before(async () => {
  world = await startOrderWorld({ capture: true });
});

after(async () => {
  await world?.stop();
});

async function place(): Promise<string> {
  const answer = await world.placeOrder(orderBody());
  assert.equal(answer.status, 202);
  return (answer.body as { id: string }).id;
}

async function confirm(orderId: string): Promise<string> {
  return world.records.send(world.entry('eventline.orders.ConfirmOrder'), orderId, {
    sagaId: orderId,
    orderId,
    occurredAt: new Date(),
    actor: 'system:order-saga',
  });
}

async function cancel(orderId: string, reason: string): Promise<string> {
  return world.records.send(world.entry('eventline.orders.CancelOrder'), orderId, {
    sagaId: orderId,
    orderId,
    reason,
    occurredAt: new Date(),
    actor: 'system:order-saga',
  });
}

function answerTo(fullName: string, commandId: string, what: string): Promise<ReadEvent> {
  return world.waitForEvent(fullName, (event) => event.headers.causationId === commandId, what);
}

async function orderStatus(id: string): Promise<Record<string, unknown>> {
  const answer = await world.request('GET', `/orders/${id}`);
  assert.equal(answer.status, 200);
  return answer.body as Record<string, unknown>;
}

async function waitForParked(orderId: string, eventId: string) {
  return waitFor(
    async () =>
      (await listParked(world.db.pool, { groupId: `${world.db.name}.order-service` })).find(
        (row) => row.message_key === orderId && row.event_id === eventId,
      ),
    { what: `the command ${eventId} to be parked`, timeoutMs: 60_000 },
  );
}

test('ConfirmOrder confirms a pending order and answers OrderConfirmed, again on a repeat', async () => {
  const id = await place();

  const commandId = await confirm(id);
  const confirmed = await answerTo('eventline.orders.OrderConfirmed', commandId, 'OrderConfirmed');

  assert.equal(confirmed.key, id);
  assert.equal(confirmed.value.orderId, id);
  assert.equal(confirmed.value.sagaId, id);
  assert.equal(confirmed.value.actor, 'system:order-service');
  assert.equal((await orderStatus(id)).status, 'CONFIRMED');

  const repeatId = await confirm(id);
  const repeated = await answerTo('eventline.orders.OrderConfirmed', repeatId, 'the repeat');
  assert.equal(repeated.value.orderId, id);
  assert.deepEqual(repeated.value.occurredAt, confirmed.value.occurredAt, 'the same event again');
  assert.equal((await orderStatus(id)).status, 'CONFIRMED');
});

test('CancelOrder cancels a pending order with its reason, and repeats that reason', async () => {
  const id = await place();

  const commandId = await cancel(id, 'OUT_OF_STOCK');
  const cancelled = await answerTo('eventline.orders.OrderCancelled', commandId, 'OrderCancelled');

  assert.equal(cancelled.key, id);
  assert.equal(cancelled.value.sagaId, id);
  assert.equal(cancelled.value.reason, 'OUT_OF_STOCK');
  const order = await orderStatus(id);
  assert.equal(order.status, 'CANCELLED');
  assert.equal(order.cancelReason, 'OUT_OF_STOCK');

  const repeatId = await cancel(id, 'TIMED_OUT');
  const repeated = await answerTo('eventline.orders.OrderCancelled', repeatId, 'the repeat');
  assert.equal(repeated.value.reason, 'OUT_OF_STOCK', 'the reason the order was cancelled for');
  assert.equal((await orderStatus(id)).cancelReason, 'OUT_OF_STOCK');
});

test('CancelOrder for a confirmed order is parked and the order stays confirmed', async () => {
  const id = await place();
  await answerTo('eventline.orders.OrderConfirmed', await confirm(id), 'OrderConfirmed');

  const commandId = await cancel(id, 'PAYMENT_DECLINED');
  const parked = await waitForParked(id, commandId);

  assert.equal(parked.reason, 'HANDLER_FAILED');
  assert.equal(parked.error_class, 'consumer:PERMANENT');
  assert.match(parked.error_message ?? '', /CONFIRMED/);
  const order = await orderStatus(id);
  assert.equal(order.status, 'CONFIRMED');
  assert.equal(order.cancelReason, null);
  const answers = (await world.events()).filter((event) => event.headers.causationId === commandId);
  assert.deepEqual(answers, [], 'no answer to the refused command');
});

test('ConfirmOrder for a cancelled order is parked and the order stays cancelled', async () => {
  const id = await place();
  await answerTo('eventline.orders.OrderCancelled', await cancel(id, 'TIMED_OUT'), 'cancelled');

  const commandId = await confirm(id);
  const parked = await waitForParked(id, commandId);

  assert.equal(parked.reason, 'HANDLER_FAILED');
  assert.match(parked.error_message ?? '', /CANCELLED/);
  const order = await orderStatus(id);
  assert.equal(order.status, 'CANCELLED');
  assert.equal(order.cancelReason, 'TIMED_OUT');
});

test('a command for an order that does not exist is parked', async () => {
  const id = '00000000-0000-4000-8000-000000000001';
  const commandId = await confirm(id);

  const parked = await waitForParked(id, commandId);
  assert.match(parked.error_message ?? '', /does not exist/);
  assert.equal((await world.request('GET', `/orders/${id}`)).status, 404, 'no order was made');
});
