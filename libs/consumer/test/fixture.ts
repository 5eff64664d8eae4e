import { randomUUID } from 'node:crypto';

import { migrate } from '@eventline/db';
import {
  avroType,
  createCodec,
  createRegistryClient,
  registerCatalog,
  type CatalogEntry,
  type EventTypes,
  type StockReserved,
} from '@eventline/schemas';
import {
  createTestDatabase,
  createTopic,
  stackEndpoints,
  testCatalog,
  testKafka,
  waitFor,
  type TestDatabase,
} from '@eventline/testkit';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';

import {
  consumerMigrations,
  createEventConsumer,
  type EventConsumerOptions,
  type Handler,
} from '../src/index';

/**
 * A test file's world for the consumer: its own database (with the consumer
 * migrations and an `effects` table), its own topic and registered schemas,
 * and a producer that writes framed Avro like the outbox does, with an `id`
 * header. Events are StockReserved records whose `actor` carries `key:seq`.
 */
export interface ConsumerFixture {
  db: TestDatabase;
  kafka: Kafka;
  topic: string;
  catalog: CatalogEntry[];
  produce(key: string, seq: number, id?: string, timestamp?: number): Promise<string>;
  /** Like produce, with extra headers (traceparent, correlationId...); returns the id. */
  produceWithHeaders(key: string, seq: number, headers: Record<string, string>): Promise<string>;
  produceRaw(key: string, value: Buffer, id?: string): Promise<void>;
  /** A consumer in `groupId` whose handler records effects; `fail` decides failures. */
  consumer(
    groupId: string,
    extra?: Partial<EventConsumerOptions<EventTypes>>,
  ): ReturnType<typeof createEventConsumer<EventTypes>>;
  effects(): Promise<{ event_id: string; key: string; seq: number }[]>;
  waitForEffects(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const fullName = 'eventline.inventory.StockReserved';

/**
 * The test handler: records `key:seq` from the event's actor field as an
 * effect row, unless its seq is listed in the `failing` table.
 */
export const recordEffect: Handler<EventTypes, StockReserved> = async ({ event, tx }) => {
  const [key, seq] = event.value.actor.split(':');
  const { rowCount } = await tx.query('SELECT 1 FROM failing WHERE seq = $1', [Number(seq)]);
  if (rowCount) {
    throw new Error(`seq ${seq} is marked failing`);
  }
  await tx.query('INSERT INTO effects (event_id, key, seq) VALUES ($1, $2, $3)', [
    event.id,
    key,
    Number(seq),
  ]);
};

export async function createConsumerFixture(prefix: string): Promise<ConsumerFixture> {
  const db = await createTestDatabase(prefix);
  await migrate(db.pool, [consumerMigrations]);
  await db.pool.query(`CREATE TABLE effects (
    applied bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, seq int NOT NULL)`);
  await db.pool.query('CREATE TABLE failing (seq int PRIMARY KEY)');

  const catalog = await testCatalog(db.name);
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  await registerCatalog(registry, catalog);
  const codec = createCodec(registry);
  const entry = catalog.find((e) => e.fullName === fullName) as CatalogEntry;
  const schemaId = (await registry.lookup(entry.subject, entry.schema))?.id ?? -1;
  const type = avroType(entry.schema);

  const kafka = testKafka(`${prefix}-test`);
  const topic = entry.topic;
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topic, 3);
  await admin.disconnect();
  const producer: Producer = kafka.producer({ idempotent: true });
  await producer.connect();

  const produceRaw = async (
    key: string,
    value: Buffer,
    id: string = randomUUID(),
    headers: Record<string, string> = {},
    timestamp?: number,
  ) => {
    await producer.send({
      topic,
      messages: [
        {
          key,
          value,
          headers: { ...headers, id },
          ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
        },
      ],
    });
  };
  const encodeEvent = (key: string, seq: number): Buffer => {
    const value: StockReserved = {
      sagaId: randomUUID(),
      orderId: randomUUID(),
      occurredAt: new Date(),
      actor: `${key}:${seq}`,
    };
    return codec.encode(schemaId, type, value);
  };

  return {
    db,
    kafka,
    topic,
    catalog,
    produceRaw,

    async produce(key, seq, id: string = randomUUID(), timestamp?: number) {
      await produceRaw(key, encodeEvent(key, seq), id, {}, timestamp);
      return id;
    },

    async produceWithHeaders(key, seq, headers) {
      const id = randomUUID();
      await produceRaw(key, encodeEvent(key, seq), id, headers);
      return id;
    },

    consumer(groupId, extra = {}) {
      const consumer = createEventConsumer<EventTypes>({
        kafka,
        groupId,
        topics: [topic],
        pool: db.pool,
        codec,
        schemas: catalog,
        metricsRegistry: new Registry(),
        retryBackoff: { initialMs: 20, maxMs: 200, factor: 2 },
        ...extra,
      });
      consumer.on(fullName, 'record-effect', recordEffect);
      return consumer;
    },

    async effects() {
      const { rows } = await db.pool.query<{ event_id: string; key: string; seq: number }>(
        'SELECT event_id, key, seq FROM effects ORDER BY applied',
      );
      return rows;
    },

    async waitForEffects(count, timeoutMs = 60_000) {
      await waitFor(
        async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM effects',
          );
          return (rows[0]?.n ?? 0) >= count;
        },
        { what: `${count} effects`, timeoutMs },
      );
    },

    async close() {
      await producer.disconnect();
      await db.drop();
    },
  };
}
