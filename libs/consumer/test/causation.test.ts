import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { createOutboxPublisher } from '@eventline/outbox';
import { createCodec, createRegistryClient, type EventTypes } from '@eventline/schemas';
import {
  collectMessages,
  createTopic,
  headerStrings,
  stackEndpoints,
  startTestCapture,
  waitFor,
  type Collector,
  type TestCapture,
} from '@eventline/testkit';

import type { EventConsumer } from '../src/index';
import { createConsumerFixture, fullName, type ConsumerFixture } from './fixture';

// What a handler publishes through the outbox carries the causation id and
// the trace context of the event it handles (captured by Debezium here).

let fx: ConsumerFixture;
let capture: TestCapture;
let consumer: EventConsumer<EventTypes>;
let collector: Collector;
let repliesTopic: string;

before(async () => {
  fx = await createConsumerFixture('t_causation');
  capture = await startTestCapture(fx.db);
  const entry = fx.catalog.find((e) => e.fullName === 'eventline.inventory.StockReleased');
  repliesTopic = entry?.topic ?? '';
  const admin = fx.kafka.admin();
  await admin.connect();
  await createTopic(admin, repliesTopic);
  await admin.disconnect();
  collector = await collectMessages(fx.kafka, repliesTopic, `${fx.db.name}-replies`);

  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const publisher = createOutboxPublisher<EventTypes>({
    registry,
    codec: createCodec(registry),
    schemas: fx.catalog,
  });
  await publisher.start();
  consumer = fx
    .consumer(`${fx.db.name}-group`, { publisher })
    .on(fullName, 'answer', async ({ event, publish }) => {
      await publish({
        type: 'eventline.inventory.StockReleased',
        key: event.key,
        value: {
          sagaId: event.value.sagaId,
          orderId: event.value.orderId,
          occurredAt: new Date(),
          actor: 'system:test',
        },
      });
    });
  await consumer.start();
});

after(async () => {
  await consumer?.stop();
  await collector?.stop();
  await capture?.stop();
  await fx?.close();
});

test('an event published by a handler names its cause and continues its trace', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = `00-${traceId}-00f067aa0ba902b7-01`;
  const correlationId = randomUUID();
  const causeId = await fx.produceWithHeaders('order-9', 1, {
    traceparent: parent,
    correlationId,
    tenant: 't9',
  });

  const reply = await waitFor(
    () => collector.received.find((m) => headerStrings(m).causationId === causeId),
    { what: 'the reply published by the handler', timeoutMs: 60_000 },
  );
  const headers = headerStrings(reply);
  assert.equal(headers.correlationId, correlationId);
  assert.equal(headers.tenant, 't9');
  assert.equal(headers.eventType, 'eventline.inventory.StockReleased');
  const [version, replyTrace, span, flags] = (headers.traceparent ?? '').split('-');
  assert.deepEqual([version, replyTrace, flags], ['00', traceId, '01'], 'same trace');
  assert.notEqual(span, '00f067aa0ba902b7', 'a new span');
  assert.equal(reply.key?.toString(), 'order-9');
});
