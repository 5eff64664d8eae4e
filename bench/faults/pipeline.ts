// The workload the fault scenarios run: a generator that writes outbox events
// (each with a unique id and a per-key sequence number) in transactions, the
// real capture (Debezium, with the connector settings the services use), and
// an idempotent consumer recording every effect; then a checker for the
// invariants: no lost event, no duplicate effect, per-key order.
import { randomUUID } from 'node:crypto';

import { consumerMigrations, createEventConsumer, type EventConsumer } from '@eventline/consumer';
import { migrate, withTransaction } from '@eventline/db';
import { createOutboxPublisher } from '@eventline/outbox';
import {
  createCodec,
  createRegistryClient,
  registerCatalog,
  type EventTypes,
} from '@eventline/schemas';
import {
  createTestDatabase,
  createTopic,
  stackEndpoints,
  startTestCapture,
  testCatalog,
  testKafka,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import { Registry } from 'prom-client';

export interface Pipeline {
  db: TestDatabase;
  /**
   * Writes `count` events round-robin over `keys`, `perTransaction` to a
   * transaction, one transaction every `paceMs` (a steady load, not a burst).
   */
  generate(count: number, perTransaction?: number, paceMs?: number): Promise<void>;
  generated(): number;
  /** Polls until every generated event has its effect, or the deadline passes. */
  drained(timeoutMs: number): Promise<boolean>;
  check(): Promise<Verdict>;
  close(): Promise<void>;
}

export interface Verdict {
  generated: number;
  effects: number;
  lost: number;
  duplicated: number;
  outOfOrderKeys: number;
}

export async function startPipeline(name: string, keys = 20): Promise<Pipeline> {
  const db = await createTestDatabase(`fault_${name}`);
  await migrate(db.pool, [consumerMigrations]);
  await db.pool.query(`CREATE TABLE effects (
    applied bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, seq int NOT NULL)`);
  const catalog = await testCatalog(db.name);
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  await registerCatalog(registry, catalog);
  const capture: TestCapture = await startTestCapture(db);
  const topic = `${db.name}.inventory.events`;
  const kafka = testKafka(`${db.name}-faults`);
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topic);
  await admin.disconnect();

  const codec = createCodec(registry);
  const publisher = createOutboxPublisher<EventTypes>({ registry, codec, schemas: catalog });
  await publisher.start();
  const consumer: EventConsumer<EventTypes> = createEventConsumer<EventTypes>({
    kafka,
    groupId: `${db.name}-group`,
    topics: [topic],
    pool: db.pool,
    codec,
    schemas: catalog,
    metricsRegistry: new Registry(),
    inboxBatchSize: 20,
  });
  consumer.on('eventline.inventory.StockReserved', 'record', async ({ event, tx }) => {
    const [key, seq] = event.value.actor.split(':');
    await tx.query('INSERT INTO effects (event_id, key, seq) VALUES ($1, $2, $3)', [
      event.id,
      key,
      Number(seq),
    ]);
  });
  await consumer.start();

  const sequences = new Map<string, number>();
  let total = 0;

  return {
    db,
    generated: () => total,
    async generate(count, perTransaction = 10, paceMs = 0) {
      for (let done = 0; done < count; done += perTransaction) {
        if (paceMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, paceMs));
        }
        const batch = Math.min(perTransaction, count - done);
        await withTransaction(db.pool, (tx) =>
          publisher.publishAll(
            tx,
            Array.from({ length: batch }, (_, i) => {
              const key = `key-${(total + i) % keys}`;
              const seq = (sequences.get(key) ?? 0) + 1;
              sequences.set(key, seq);
              return {
                type: 'eventline.inventory.StockReserved' as const,
                key,
                value: {
                  sagaId: randomUUID(),
                  orderId: randomUUID(),
                  occurredAt: new Date(),
                  actor: `${key}:${seq}`,
                },
              };
            }),
          ),
        );
        total += batch;
      }
    },
    async drained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { rows } = await db.pool.query<{ n: number }>(
          'SELECT count(DISTINCT (key, seq))::int AS n FROM effects',
        );
        if ((rows[0]?.n ?? 0) >= total) {
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return false;
    },
    async check() {
      const { rows } = await db.pool.query<{ key: string; seq: number }>(
        'SELECT key, seq FROM effects ORDER BY applied',
      );
      const seen = new Set<string>();
      let duplicated = 0;
      const last = new Map<string, number>();
      const outOfOrder = new Set<string>();
      for (const row of rows) {
        const id = `${row.key}:${row.seq}`;
        if (seen.has(id)) {
          duplicated++;
        }
        seen.add(id);
        if ((last.get(row.key) ?? 0) >= row.seq) {
          outOfOrder.add(row.key);
        }
        last.set(row.key, Math.max(last.get(row.key) ?? 0, row.seq));
      }
      return {
        generated: total,
        effects: rows.length,
        lost: total - seen.size,
        duplicated,
        outOfOrderKeys: outOfOrder.size,
      };
    },
    async close() {
      await consumer.stop();
      await capture.stop();
      await db.drop();
    },
  };
}
