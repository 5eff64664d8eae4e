// The workload the fault scenarios run: a generator that writes outbox
// events in transactions, the real capture (Debezium, with the connector
// settings the services use), and an idempotent consumer recording every
// effect; then a checker for the invariants: no lost event, no duplicate
// effect, per-key order.
//
// Every event has a unique id and a per-key sequence number, and the
// generator records both in a ledger table in the same transaction as the
// outbox row. The ledger, not the generator's memory, says what committed:
// a commit whose answer was lost to a Postgres stop is looked up there.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { consumerMigrations, type EventConsumer } from '@eventline/consumer';
import { migrate, withTransaction } from '@eventline/db';
import { backoffDelay, delay } from '@eventline/observability';
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

import { createPipelineConsumer, pipelineEventType, pipelineTopic } from './pipeline-consumer';

export interface PipelineOptions {
  keys?: number;
  /** Run the consumer as a process of its own (startConsumerProcess) instead of in this one. */
  consumerProcess?: boolean;
  /** Connector settings over connectors/orders.json (a scenario's control run). */
  connector?: Record<string, string>;
}

export interface GenerateOptions {
  perTransaction?: number;
  /** Pause before each transaction: a steady load rather than a burst. */
  paceMs?: number;
  /** Keys to write to; all of the pipeline's keys when absent. */
  keys?: string[];
}

export interface Pipeline {
  db: TestDatabase;
  topic: string;
  keys: string[];
  /** The in-process consumer; undefined with `consumerProcess`. */
  consumer: EventConsumer<EventTypes> | undefined;
  /** Writes `count` events round-robin over the keys; rides out a Postgres outage. */
  generate(count: number, options?: GenerateOptions): Promise<void>;
  /** Starts the consumer worker; with killAfter it kills itself after that many effects. */
  startConsumerProcess(killAfter?: number): Promise<ChildProcess>;
  /** Polls until every event in the ledger has its effect, or the deadline passes. */
  drained(timeoutMs: number): Promise<boolean>;
  /** Ledger events without an effect yet. */
  missing(): Promise<number>;
  /** Transactions the generator had to try again (Postgres was away). */
  writeRetries(): number;
  check(): Promise<Verdict>;
  close(): Promise<void>;
}

export interface Verdict {
  /** Events the ledger says committed. */
  committed: number;
  effects: number;
  lost: number;
  duplicated: number;
  /** Effects of events the ledger does not know. */
  phantom: number;
  outOfOrderKeys: number;
}

const workerPath = fileURLToPath(new URL('./consumer-worker.ts', import.meta.url));

export async function startPipeline(
  name: string,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const db = await createTestDatabase(`fault_${name}`);
  await migrate(db.pool, [consumerMigrations]);
  await db.pool.query(`CREATE TABLE effects (
    applied bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, seq int NOT NULL)`);
  await db.pool.query(`CREATE TABLE ledger (
    event_id text PRIMARY KEY, key text NOT NULL, seq int NOT NULL, UNIQUE (key, seq))`);
  const catalog = await testCatalog(db.name);
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  await registerCatalog(registry, catalog);
  const capture: TestCapture = await startTestCapture(db, 'orders.json', options.connector);
  const topic = pipelineTopic(db.name);
  const admin = testKafka(`${db.name}-admin`).admin();
  await admin.connect();
  await createTopic(admin, topic);
  await admin.disconnect();

  const publisher = createOutboxPublisher<EventTypes>({
    registry,
    codec: createCodec(registry),
    schemas: catalog,
  });
  await publisher.start();
  const consumer = options.consumerProcess
    ? undefined
    : await createPipelineConsumer({ database: db.name, pool: db.pool });
  await consumer?.start();
  const workers = new Set<ChildProcess>();

  const keys = Array.from({ length: options.keys ?? 20 }, (_, i) => `key-${i}`);
  const sequences = new Map<string, number>();
  let written = 0;
  let retries = 0;

  async function isCommitted(eventId: string): Promise<boolean> {
    const { rowCount } = await db.pool.query('SELECT 1 FROM ledger WHERE event_id = $1', [eventId]);
    return rowCount === 1;
  }

  /** One transaction of events and their ledger rows; tried again until it is known to be in. */
  async function writeBatch(batch: { id: string; key: string; seq: number }[]): Promise<void> {
    const deadline = Date.now() + 180_000;
    for (let attempt = 1; ; attempt++) {
      try {
        await withTransaction(db.pool, async (tx) => {
          await tx.query(
            `INSERT INTO ledger (event_id, key, seq)
             SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`,
            [batch.map((e) => e.id), batch.map((e) => e.key), batch.map((e) => e.seq)],
          );
          await publisher.publishAll(
            tx,
            batch.map((e) => ({
              type: pipelineEventType,
              id: e.id,
              key: e.key,
              value: {
                sagaId: randomUUID(),
                orderId: randomUUID(),
                occurredAt: new Date(),
                actor: `${e.key}:${e.seq}`,
              },
            })),
          );
        });
        return;
      } catch (error) {
        // Postgres is stopping or starting: wait, then ask the ledger whether
        // the commit made it before writing the same events again.
        if (Date.now() > deadline) {
          throw error;
        }
        retries++;
        await delay(backoffDelay(Math.min(attempt, 5)));
        const first = batch[0];
        if (first && (await isCommitted(first.id).catch(() => false))) {
          return;
        }
      }
    }
  }

  async function missing(): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ledger l
       WHERE NOT EXISTS (SELECT 1 FROM effects e WHERE e.event_id = l.event_id)`,
    );
    return rows[0]?.n ?? 0;
  }

  return {
    db,
    topic,
    keys,
    consumer,

    async generate(count, generateOptions = {}) {
      const perTransaction = generateOptions.perTransaction ?? 10;
      const over = generateOptions.keys ?? keys;
      for (let done = 0; done < count; done += perTransaction) {
        if (generateOptions.paceMs) {
          await delay(generateOptions.paceMs);
        }
        const batch = Array.from({ length: Math.min(perTransaction, count - done) }, (_, i) => {
          const key = over[(written + i) % over.length] ?? 'key-0';
          const seq = (sequences.get(key) ?? 0) + 1;
          sequences.set(key, seq);
          return { id: randomUUID(), key, seq };
        });
        await writeBatch(batch);
        written += batch.length;
      }
    },

    async startConsumerProcess(killAfter) {
      const child = spawn(process.execPath, ['--import', 'tsx', workerPath], {
        env: {
          ...process.env,
          FAULT_DB: db.name,
          ...(killAfter ? { KILL_AFTER: String(killAfter) } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      workers.add(child);
      child.on('exit', () => workers.delete(child));
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('started')) {
            resolve();
          }
        });
        child.on('exit', (code, signal) =>
          // Killed on purpose before it said it started counts as started.
          signal === 'SIGKILL' ? resolve() : reject(new Error(`consumer worker exited ${code}`)),
        );
      });
      return child;
    },

    missing,
    writeRetries: () => retries,

    async drained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await missing().catch(() => -1)) === 0) {
          return true;
        }
        await delay(250);
      }
      return false;
    },

    async check() {
      const ledger = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger');
      const { rows } = await db.pool.query<{ event_id: string; key: string; seq: number }>(
        'SELECT event_id, key, seq FROM effects ORDER BY applied',
      );
      const { rows: phantoms } = await db.pool.query<{ n: number }>(
        `SELECT count(DISTINCT event_id)::int AS n FROM effects e
         WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.event_id = e.event_id)`,
      );
      const seen = new Set<string>();
      const last = new Map<string, number>();
      const outOfOrder = new Set<string>();
      let duplicated = 0;
      for (const row of rows) {
        if (seen.has(row.event_id)) {
          duplicated++;
          continue;
        }
        seen.add(row.event_id);
        if ((last.get(row.key) ?? 0) >= row.seq) {
          outOfOrder.add(row.key);
        }
        last.set(row.key, Math.max(last.get(row.key) ?? 0, row.seq));
      }
      return {
        committed: ledger.rows[0]?.n ?? 0,
        effects: rows.length,
        lost: await missing(),
        duplicated,
        phantom: phantoms[0]?.n ?? 0,
        outOfOrderKeys: outOfOrder.size,
      };
    },

    async close() {
      for (const worker of workers) {
        worker.kill('SIGKILL');
      }
      await consumer?.stop();
      await capture.stop();
      await db.drop();
    },
  };
}
