import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  avroType,
  createCodec,
  createRegistryClient,
  type OrderConfirmed,
} from '@eventline/schemas';
import {
  stackEndpoints,
  startServiceWorld,
  testKafka,
  waitFor,
  type RecordProducer,
  type ServiceWorld,
  type TestDatabase,
} from '@eventline/testkit';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';

import { startNotificationService, type NotificationService } from '../src/app';

// Notifications on the real stack: order outcomes go in on the test's own
// orders.events, keyed by order id as the order service publishes them. The
// service publishes nothing, so no capture runs.

let db: TestDatabase;
let world: ServiceWorld<NotificationService>;
let kafka: Kafka;
let service: NotificationService;
let producer: RecordProducer;
let rawProducer: Producer;
let baseUrl: string;

before(async () => {
  world = await startServiceWorld({
    prefix: 't_notify',
    name: 'notification-service',
    database: 'notifications',
    topics: ['orders.events'],
    start: startNotificationService,
  });
  ({ db, service, producer } = world);
  kafka = testKafka(db.name);
  baseUrl = service.url;
  // The record producer's partitioner, so that both land an order's events in one partition.
  rawProducer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await rawProducer.connect();
});

after(async () => {
  await rawProducer?.disconnect();
  await world?.close();
});

async function confirmed(orderId: string): Promise<void> {
  await producer.send(world.entry('eventline.orders.OrderConfirmed'), orderId, {
    orderId,
    sagaId: randomUUID(),
    occurredAt: new Date(),
    actor: 'system:order-service',
  });
}

async function cancelled(orderId: string): Promise<void> {
  await producer.send(world.entry('eventline.orders.OrderCancelled'), orderId, {
    orderId,
    sagaId: randomUUID(),
    reason: 'PAYMENT_DECLINED',
    occurredAt: new Date(),
    actor: 'system:order-service',
  });
}

async function notificationsOf(orderId: string): Promise<{ kind: string }[]> {
  const response = await fetch(`${baseUrl}/notifications?orderId=${orderId}`);
  assert.equal(response.status, 200);
  return (await response.json()) as { kind: string }[];
}

/**
 * Waits until the order has a notice of `kind`. Events of one order share a
 * partition and are handled in offset order, so once a notice sent last is
 * there, everything sent before it for the order has been handled too.
 */
async function waitForNotice(orderId: string, kind: string): Promise<void> {
  await waitFor(
    async () => (await notificationsOf(orderId)).some((notice) => notice.kind === kind),
    { what: `a ${kind} notice for order ${orderId}`, timeoutMs: 60_000 },
  );
}

async function duplicatesSkipped(handler: string): Promise<number> {
  const metric = service.metrics.getSingleMetric('eventline_consumer_duplicates_total');
  assert.ok(metric, 'the consumer registers its duplicates counter');
  const { values } = await metric.get();
  return values
    .filter((sample) => sample.labels.handler === handler)
    .reduce((sum, sample) => sum + sample.value, 0);
}

test('a confirmed order and a cancelled order each get one notice of their outcome', async () => {
  const confirmedOrder = randomUUID();
  const cancelledOrder = randomUUID();

  await confirmed(confirmedOrder);
  await cancelled(cancelledOrder);

  await waitForNotice(confirmedOrder, 'order-confirmed');
  await waitForNotice(cancelledOrder, 'order-cancelled');
  assert.deepEqual(
    (await notificationsOf(confirmedOrder)).map((n) => n.kind),
    ['order-confirmed'],
  );
  assert.deepEqual(
    (await notificationsOf(cancelledOrder)).map((n) => n.kind),
    ['order-cancelled'],
  );
});

test('the same event delivered twice records one notice', async () => {
  const orderId = randomUUID();
  const target = world.entry('eventline.orders.OrderConfirmed');
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const schemaId = (await registry.lookup(target.subject, target.schema))?.id;
  assert.ok(schemaId !== undefined, `${target.subject} is registered`);
  const value: OrderConfirmed = {
    orderId,
    sagaId: randomUUID(),
    occurredAt: new Date(),
    actor: 'system:order-service',
  };
  const payload = createCodec(registry).encode(schemaId, avroType(target.schema), value);
  const message = {
    key: orderId,
    value: payload,
    headers: { id: randomUUID(), eventType: target.fullName },
  };
  const skippedBefore = await duplicatesSkipped('notify-order-confirmed');

  // One record, sent twice: what a redelivery after a lost offset commit looks like.
  await rawProducer.send({ topic: target.topic, messages: [message] });
  await rawProducer.send({ topic: target.topic, messages: [message] });
  await cancelled(orderId);

  await waitForNotice(orderId, 'order-cancelled');
  assert.deepEqual(
    (await notificationsOf(orderId)).map((n) => n.kind),
    ['order-confirmed', 'order-cancelled'],
  );
  assert.equal(await duplicatesSkipped('notify-order-confirmed'), skippedBefore + 1);
});

test('the same outcome published twice under two event ids records one notice', async () => {
  const orderId = randomUUID();

  await confirmed(orderId);
  await confirmed(orderId);
  await cancelled(orderId);

  await waitForNotice(orderId, 'order-cancelled');
  const { rows } = await db.pool.query<{ kind: string; n: number }>(
    'SELECT kind, count(*)::int AS n FROM notifications WHERE order_id = $1 GROUP BY kind ORDER BY kind',
    [orderId],
  );
  assert.deepEqual(rows, [
    { kind: 'order-cancelled', n: 1 },
    { kind: 'order-confirmed', n: 1 },
  ]);
});

test('GET /notifications refuses a request without a UUID orderId', async () => {
  assert.equal((await fetch(`${baseUrl}/notifications`)).status, 400);
  assert.equal((await fetch(`${baseUrl}/notifications?orderId=nope`)).status, 400);
});
