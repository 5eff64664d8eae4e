import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { withTransaction } from '@eventline/db';
import {
  collectMessages,
  createTestDatabase,
  createTopic,
  headerStrings,
  startTestCapture,
  testKafka,
  waitFor,
  type Collector,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import type { KafkaMessage } from 'kafkajs';

// The CDC path on the real stack: a row in the outbox table, read by Debezium
// from the WAL, routed by the Event Router with the connector file that the
// services use (connectors/orders.json).

interface OutboxRow {
  id: string;
  aggregateid: string;
  payload: Buffer;
  correlationId: string;
}

const insertSql = `INSERT INTO outbox
  (id, aggregatetype, aggregateid, type, payload, correlation_id, causation_id, traceparent,
   tenant, actor)
  VALUES ($1, $2, $3, 'OrderPlaced', $4, $5, $6, $7, 'tenant-a', 'user:42')`;

describe('outbox capture through Debezium', () => {
  let db: TestDatabase;
  let capture: TestCapture;
  let collector: Collector;
  let received: KafkaMessage[] = [];
  const kafka = testKafka('cdc-capture-test');
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  before(async () => {
    db = await createTestDatabase('t_cdc');
    capture = await startTestCapture(db);
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, `${db.name}.events`);
    await admin.disconnect();

    collector = await collectMessages(kafka, `${db.name}.events`, `${db.name}-group`);
    received = collector.received;
  });

  after(async () => {
    await collector?.stop();
    await capture?.stop();
    await db?.drop();
  });

  function insert(tx: { query: TestDatabase['pool']['query'] }, row: OutboxRow) {
    return tx.query(insertSql, [
      row.id,
      `${db.name}.events`,
      row.aggregateid,
      row.payload,
      row.correlationId,
      randomUUID(),
      traceparent,
    ]);
  }

  function newRow(aggregateid: string): OutboxRow {
    // Bytes like a Confluent frame (magic 0, then an id) and bytes that are
    // not valid UTF-8: both must arrive untouched.
    const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 0xff, 0xfe]), randomBytes(64)]);
    return { id: randomUUID(), aggregateid, payload, correlationId: randomUUID() };
  }

  test('a committed outbox row arrives on its routed topic with key, bytes and headers', async () => {
    const row = newRow('order-1');
    await withTransaction(db.pool, (tx) => insert(tx, row));

    const message = await waitFor(() => received.find((m) => headerStrings(m).id === row.id), {
      what: 'the captured outbox row',
      timeoutMs: 60_000,
    });

    assert.equal(message.key?.toString(), 'order-1');
    assert.ok(message.value, 'the message has a value');
    assert.equal(Buffer.compare(message.value, row.payload), 0, 'payload bytes are identical');
    const headers = headerStrings(message);
    assert.equal(headers.eventType, 'OrderPlaced');
    assert.equal(headers.correlationId, row.correlationId);
    assert.equal(headers.traceparent, traceparent);
    assert.equal(headers.tenant, 'tenant-a');
    assert.equal(headers.actor, 'user:42');
    assert.match(headers.causationId ?? '', /^[0-9a-f-]{36}$/);
  });

  test('a rolled-back transaction produces nothing', async () => {
    // Same key, so same partition: the marker committed after the rollback
    // arrives after anything the rolled-back row could have produced.
    const rolledBack = newRow('order-2');
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        await insert(tx, rolledBack);
        throw new Error('business rule failed');
      }),
      /business rule failed/,
    );
    const marker = newRow('order-2');
    await withTransaction(db.pool, (tx) => insert(tx, marker));

    await waitFor(() => received.some((m) => headerStrings(m).id === marker.id), {
      what: 'the marker row',
      timeoutMs: 60_000,
    });
    assert.equal(
      received.filter((m) => headerStrings(m).id === rolledBack.id).length,
      0,
      'the rolled-back row was not published',
    );
  });
});
