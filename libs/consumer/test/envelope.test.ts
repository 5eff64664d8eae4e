import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { KafkaMessage } from 'kafkajs';

import { eventIdOf, headersOf, metadataOf } from '../src/envelope';

// What kafkajs hands over for a record the Event Router wrote from an outbox
// row whose causation_id and traceparent are NULL: those headers are present
// with a null value. (kafkajs cannot produce such headers, so this is built
// by hand; the order-system test meets the real thing through Debezium.)
const fromRouter = {
  key: Buffer.from('order-1'),
  value: Buffer.from([0, 0, 0, 0, 1]),
  offset: '7',
  timestamp: '0',
  attributes: 0,
  size: 0,
  headers: {
    id: Buffer.from('a3c1c7f0-0b1e-4c2e-9a63-1f3f4f0e2b11'),
    correlationId: Buffer.from('b9e2f2c4-5d6a-4f0b-8c1e-2a3b4c5d6e7f'),
    causationId: null,
    traceparent: null,
    tenant: Buffer.from('t1'),
  },
} as unknown as KafkaMessage;

test('headers with a null value count as absent in the metadata', () => {
  assert.deepEqual(metadataOf(fromRouter), {
    correlationId: 'b9e2f2c4-5d6a-4f0b-8c1e-2a3b4c5d6e7f',
    tenant: 't1',
  });
});

test('parking keeps only the headers that have a value', () => {
  assert.deepEqual(Object.keys(headersOf(fromRouter)).sort(), ['correlationId', 'id', 'tenant']);
});

test('the event id comes from the id header, else from the position', () => {
  assert.equal(eventIdOf(fromRouter, 'orders.events', 2), 'a3c1c7f0-0b1e-4c2e-9a63-1f3f4f0e2b11');
  const withoutId = { ...fromRouter, headers: {} } as KafkaMessage;
  assert.equal(eventIdOf(withoutId, 'orders.events', 2), 'orders.events/2/7');
});
