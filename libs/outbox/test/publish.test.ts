import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { withTransaction } from '@eventline/db';
import {
  createCodec,
  createRegistryClient,
  registerCatalog,
  SchemaError,
  type CatalogEntry,
  type EventTypes,
  type OrderPlaced,
} from '@eventline/schemas';
import {
  collectMessages,
  createTestDatabase,
  createTopic,
  headerStrings,
  stackEndpoints,
  startTestCapture,
  testCatalog,
  testKafka,
  waitFor,
  type Collector,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage } from 'kafkajs';

import { createOutboxPublisher, type OutboxPublisher } from '../src/index';

// Publishing through libs/outbox on the real stack: validated, Avro-encoded
// rows in the caller's transaction, captured by Debezium, decoded by an
// independent Confluent client.

const endpoints = stackEndpoints();
const registry = createRegistryClient({ url: endpoints.registryUrl });
const kafka = testKafka('outbox-publish-test');

describe('the outbox publisher', () => {
  let db: TestDatabase;
  let capture: TestCapture;
  let catalog: CatalogEntry[];
  let publisher: OutboxPublisher<EventTypes>;
  let collector: Collector;
  let ordersTopic: string;
  let received: KafkaMessage[] = [];

  before(async () => {
    db = await createTestDatabase('t_publish');
    catalog = await testCatalog(db.name);
    await registerCatalog(registry, catalog);
    capture = await startTestCapture(db);
    await db.pool.query('CREATE TABLE orders (id uuid PRIMARY KEY, total bigint NOT NULL)');
    await db.pool.query('CREATE TABLE versions (key text PRIMARY KEY, version int NOT NULL)');

    ordersTopic = `${db.name}.orders.events`;
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, ordersTopic);
    await admin.disconnect();

    publisher = createOutboxPublisher<EventTypes>({
      registry,
      codec: createCodec(registry),
      schemas: catalog,
    });
    await publisher.start();

    collector = await collectMessages(kafka, ordersTopic, `${db.name}-group`);
    received = collector.received;
  });

  after(async () => {
    await collector?.stop();
    await capture?.stop();
    await db?.drop();
  });

  function orderPlaced(orderId: string, quantity = 2): OrderPlaced {
    return {
      orderId,
      customerId: randomUUID(),
      lines: [{ sku: 'SKU-1', quantity, unitPriceMinor: 1250 }],
      totalMinor: 1250 * quantity,
      currency: 'EUR',
      occurredAt: new Date('2026-12-03T10:00:00.123Z'),
      actor: 'user:7',
    };
  }

  const byId = (id: string) => () => received.find((m) => headerStrings(m).id === id);

  test('an event arrives on its topic and an independent Confluent client decodes it', async () => {
    const orderId = randomUUID();
    const value = orderPlaced(orderId);
    const eventId = await withTransaction(db.pool, async (tx) => {
      await tx.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [orderId, value.totalMinor]);
      return publisher.publish(tx, {
        type: 'eventline.orders.OrderPlaced',
        key: orderId,
        value,
        metadata: { correlationId: randomUUID(), actor: 'user:7', tenant: 't1' },
      });
    });

    const message = await waitFor(byId(eventId), { what: 'the event', timeoutMs: 60_000 });
    assert.equal(message.key?.toString(), orderId);
    assert.equal(headerStrings(message).eventType, 'eventline.orders.OrderPlaced');

    const independent = new SchemaRegistry({ host: endpoints.registryUrl });
    const decoded = (await independent.decode(message.value as Buffer)) as Record<string, unknown>;
    assert.deepEqual(
      { ...decoded, lines: (decoded.lines as object[]).map((line) => ({ ...line })) },
      // avsc without our logical type reads timestamp-millis as its long.
      { ...value, occurredAt: value.occurredAt.getTime() },
    );
  });

  test('publishAll writes a batch in one transaction, arriving in the given order', async () => {
    const key = randomUUID();
    const values = [1, 2, 3].map((quantity) => orderPlaced(key, quantity));
    const ids = await withTransaction(db.pool, (tx) =>
      publisher.publishAll(
        tx,
        values.map((value) => ({ type: 'eventline.orders.OrderPlaced' as const, key, value })),
      ),
    );

    assert.equal(ids.length, 3);
    await waitFor(() => ids.every((id) => byId(id)()), { what: 'the batch', timeoutMs: 60_000 });
    const arrivedIds = received
      .filter((m) => m.key?.toString() === key)
      .map((m) => headerStrings(m).id);
    assert.deepEqual(arrivedIds, ids);
  });

  test('the outbox table keeps no rows once transactions commit', async () => {
    const { rows } = await db.pool.query<{ count: string }>('SELECT count(*) FROM outbox');
    assert.equal(rows[0]?.count, '0');
  });

  test('a transaction that throws after publishing produces nothing', async () => {
    const key = randomUUID();
    let doomedId = '';
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        doomedId = await publisher.publish(tx, {
          type: 'eventline.orders.OrderPlaced',
          key,
          value: orderPlaced(key),
        });
        throw new Error('payment provider said no');
      }),
      /payment provider said no/,
    );
    const markerId = await withTransaction(db.pool, (tx) =>
      publisher.publish(tx, { type: 'eventline.orders.OrderPlaced', key, value: orderPlaced(key) }),
    );

    await waitFor(byId(markerId), { what: 'the marker event', timeoutMs: 60_000 });
    assert.equal(byId(doomedId)(), undefined);
  });

  test('an invalid event throws naming the field, and the transaction rolls back', async () => {
    const orderId = randomUUID();
    const bad = { ...orderPlaced(orderId), lines: [{ sku: 'SKU-1', quantity: 'two' }] };

    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        await tx.query('INSERT INTO orders (id, total) VALUES ($1, 1)', [orderId]);
        await publisher.publish(tx, {
          type: 'eventline.orders.OrderPlaced',
          key: orderId,
          value: bad as unknown as OrderPlaced,
        });
      }),
      (error: unknown) =>
        error instanceof SchemaError &&
        error.code === 'INVALID_VALUE' &&
        error.fieldPath === 'lines[0].quantity' &&
        error.message.includes('lines[0].quantity'),
    );
    const { rowCount } = await db.pool.query('SELECT 1 FROM orders WHERE id = $1', [orderId]);
    assert.equal(rowCount, 0, 'the business row rolled back with the event');
  });

  test('a publisher whose schema is not registered refuses to start and names it', async () => {
    const unregistered = (await testCatalog(`${db.name}_unregistered`)).filter(
      (entry) => entry.fullName === 'eventline.orders.OrderConfirmed',
    );
    const lonely = createOutboxPublisher<EventTypes>({
      registry,
      codec: createCodec(registry),
      schemas: unregistered,
    });

    await assert.rejects(
      lonely.start(),
      (error: unknown) =>
        error instanceof SchemaError &&
        error.code === 'NOT_REGISTERED' &&
        error.message.includes(unregistered[0]?.subject ?? '?'),
    );
  });

  test('1,000 events from 20 concurrent transactions arrive once each, in commit order per key', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `${db.name}-key-${i}`);
    await db.pool.query('INSERT INTO versions SELECT unnest($1::text[]), 0', [keys]);
    const expected = new Map<string, { key: string; version: number }>();

    // Each transaction bumps a per-key version under the row lock, so for one
    // key the version order is the commit order. Keys are taken in sorted
    // order so the transactions cannot deadlock.
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withTransaction(db.pool, async (tx) => {
          for (const key of keys) {
            for (let i = 0; i < 5; i++) {
              const { rows } = await tx.query<{ version: number }>(
                'UPDATE versions SET version = version + 1 WHERE key = $1 RETURNING version',
                [key],
              );
              const id = randomUUID();
              expected.set(id, { key, version: rows[0]?.version ?? -1 });
              await publisher.publish(tx, {
                type: 'eventline.orders.OrderPlaced',
                key,
                id,
                value: orderPlaced(randomUUID()),
              });
            }
          }
        }),
      ),
    );
    assert.equal(expected.size, 1000);

    const arrived = await waitFor(
      () => {
        const ours = received.filter((m) => expected.has(headerStrings(m).id ?? ''));
        return ours.length >= 1000 ? ours : undefined;
      },
      { what: '1,000 events', timeoutMs: 120_000 },
    );

    const ids = arrived.map((m) => headerStrings(m).id);
    assert.equal(new Set(ids).size, 1000, 'each event arrived once');
    for (const key of keys) {
      const versions = arrived
        .filter((m) => m.key?.toString() === key)
        .map((m) => expected.get(headerStrings(m).id ?? '')?.version);
      assert.deepEqual(
        versions,
        Array.from({ length: 100 }, (_, i) => i + 1),
        `versions of ${key} arrive in commit order`,
      );
    }
  });
});
