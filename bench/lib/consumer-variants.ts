// The four ways bench/consumer-throughput.ts reads its topic, each timed from
// the consumer's start until every event is seen (or its row is written), and
// each checked afterwards: an event missed or applied twice fails the run,
// because a rate over a wrong count means nothing.
import assert from 'node:assert/strict';

import {
  createEventConsumer,
  consumerMigrations,
  planReplay,
  prepareReplayGroup,
} from '@eventline/consumer';
import { migrate, withTransaction, type Pool } from '@eventline/db';
import {
  createCodec,
  type CatalogEntry,
  type EventTypes,
  type RegistryClient,
} from '@eventline/schemas';
import { createTestDatabase, waitFor } from '@eventline/testkit';
import type avro from 'avsc';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';

export const stockReserved = 'eventline.inventory.StockReserved';

/** The pre-filled topic every variant reads, and what was written to it. */
export interface Workload {
  kafka: Kafka;
  registry: RegistryClient;
  topic: string;
  catalog: CatalogEntry[];
  readerTypes: ReadonlyMap<string, avro.Type>;
  /** The `id` header of every event produced: the effects must be exactly these. */
  eventIds: ReadonlySet<string>;
  partitions: number;
}

export interface Measurement {
  eventsPerSecond: number;
  /** From the consumer's start until it had joined its group and was running. */
  startMs: number;
  /** From the consumer's start until the last event was seen or written. */
  totalMs: number;
}

export type VariantName = 'raw' | 'handler' | 'inbox' | 'inboxBatch50' | 'replayRerun';

export const variantLabels: Record<VariantName, string> = {
  raw: 'kafkajs eachBatch, no decode, no database',
  handler: 'kafkajs eachBatch + decode + one INSERT per transaction, no inbox',
  inbox: 'createEventConsumer, inboxBatchSize 1',
  inboxBatch50: 'createEventConsumer, inboxBatchSize 50',
  replayRerun:
    'replay of the whole topic into a new group with a new epoch (inbox rows of the first pass exist), inboxBatchSize 50',
};

const insertEffectSql = 'INSERT INTO effects (event_id, key, seq) VALUES ($1, $2, $3)';

/** Fails after this long without completion; scaled so that only a stall trips it. */
function deadlineMs(events: number): number {
  return 60_000 + events * 10;
}

/** Starts a consumer, then polls until `isComplete`; both ends on the same clock. */
async function timeUntilComplete(
  events: number,
  start: () => Promise<void>,
  isComplete: () => Promise<boolean> | boolean,
  intervalMs: number,
  what: string,
): Promise<Measurement> {
  const started = process.hrtime.bigint();
  await start();
  const running = process.hrtime.bigint();
  await waitFor(async () => await isComplete(), {
    intervalMs,
    timeoutMs: deadlineMs(events),
    what,
  });
  const done = process.hrtime.bigint();

  const totalMs = Number(done - started) / 1e6;
  return {
    eventsPerSecond: events / (totalMs / 1000),
    startMs: Number(running - started) / 1e6,
    totalMs,
  };
}

function eventIdOf(message: KafkaMessage): string {
  const raw = message.headers?.id;
  const id = Array.isArray(raw) ? raw[0] : raw;
  if (id === undefined) {
    throw new Error(`Message at offset ${message.offset} has no id header`);
  }

  return id.toString();
}

/** `actor` carries `key:seq`, written by the producer of the workload. */
function keyAndSeq(actor: string): [string, number] {
  const [key, seq] = actor.split(':');
  return [key ?? '', Number(seq)];
}

/** 1. The reference: kafkajs alone, counting distinct positions until all are seen. */
export async function measureRaw(workload: Workload, groupId: string): Promise<Measurement> {
  const events = workload.eventIds.size;
  const seen = new Set<string>();
  let delivered = 0;
  const consumer = workload.kafka.consumer({ groupId, allowAutoTopicCreation: false });

  let measurement: Measurement;
  try {
    measurement = await timeUntilComplete(
      events,
      async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [workload.topic], fromBeginning: true });
        await consumer.run({
          partitionsConsumedConcurrently: workload.partitions,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              delivered++;
              seen.add(`${batch.partition}/${message.offset}`);
            }
          },
        });
      },
      () => seen.size >= events,
      5,
      `${events} messages read by ${groupId}`,
    );
  } finally {
    await consumer.disconnect();
  }

  assert.equal(seen.size, events, `${groupId}: distinct messages read`);
  assert.equal(delivered, events, `${groupId}: messages delivered (a redelivery inflates this)`);
  return measurement;
}

/**
 * A fresh database with the consumer migrations and an effects table without
 * a unique key, so that a second effect of one event shows as a second row.
 */
async function withEffectsDatabase<T>(work: (pool: Pool) => Promise<T>): Promise<T> {
  const db = await createTestDatabase('bench_consumer_db');
  try {
    await migrate(db.pool, [consumerMigrations]);
    await db.pool.query(`CREATE TABLE effects (
      applied bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, seq int NOT NULL)`);
    return await work(db.pool);
  } finally {
    await db.drop();
  }
}

async function effectCount(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects');
  return rows[0]?.n ?? 0;
}

/**
 * After the consumer stopped: one effect per produced event, no other, and
 * per key in the order produced; with the inbox, one inbox row per event.
 */
async function verifyEffects(
  pool: Pool,
  workload: Workload,
  groupId: string,
  withInbox: boolean,
): Promise<void> {
  const events = workload.eventIds.size;
  const { rows } = await pool.query<{ event_id: string; key: string; seq: number }>(
    'SELECT event_id, key, seq FROM effects ORDER BY applied',
  );
  const distinct = new Set(rows.map((row) => row.event_id));
  assert.equal(rows.length, events, `${groupId}: effect rows (more means duplicate effects)`);
  assert.equal(distinct.size, events, `${groupId}: distinct events with an effect`);
  const unknown = [...distinct].filter((id) => !workload.eventIds.has(id));
  assert.deepEqual(unknown, [], `${groupId}: effects of events that were not produced`);

  const lastSeq = new Map<string, number>();
  for (const row of rows) {
    const previous = lastSeq.get(row.key) ?? -1;
    assert.ok(
      row.seq > previous,
      `${groupId}: key ${row.key} applied ${row.seq} after ${previous}`,
    );
    lastSeq.set(row.key, row.seq);
  }

  if (withInbox) {
    const inbox = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM consumer_inbox');
    assert.equal(inbox.rows[0]?.n, events, `${groupId}: inbox rows`);
  }
}

/** 2. The handler alone: decode and one INSERT in its own transaction, no inbox, no lock. */
export async function measureHandler(workload: Workload, groupId: string): Promise<Measurement> {
  const events = workload.eventIds.size;
  const codec = createCodec(workload.registry);

  return withEffectsDatabase(async (pool) => {
    const consumer = workload.kafka.consumer({ groupId, allowAutoTopicCreation: false });
    let measurement: Measurement;
    try {
      measurement = await timeUntilComplete(
        events,
        async () => {
          await consumer.connect();
          await consumer.subscribe({ topics: [workload.topic], fromBeginning: true });
          await consumer.run({
            partitionsConsumedConcurrently: workload.partitions,
            eachBatchAutoResolve: false,
            // The runtime's bookkeeping per message, so that the difference to
            // createEventConsumer is what it adds: inbox, key lock, parking check.
            eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
              for (const message of batch.messages) {
                if (!isRunning() || isStale()) {
                  return;
                }
                const { value } = await codec.decode(
                  message.value ?? Buffer.alloc(0),
                  workload.readerTypes,
                );
                const [key, seq] = keyAndSeq((value as EventTypes[typeof stockReserved]).actor);
                await withTransaction(pool, (tx) =>
                  tx.query(insertEffectSql, [eventIdOf(message), key, seq]),
                );
                resolveOffset(message.offset);
                await heartbeat();
              }
            },
          });
        },
        async () => (await effectCount(pool)) >= events,
        25,
        `${events} effects of ${groupId}`,
      );
    } finally {
      await consumer.disconnect();
    }

    await verifyEffects(pool, workload, groupId, false);
    return measurement;
  });
}

/** 3 and 4. The runtime with its inbox, one event or `inboxBatchSize` events per transaction. */
export async function measureEventConsumer(
  workload: Workload,
  groupId: string,
  inboxBatchSize: number,
): Promise<Measurement> {
  const events = workload.eventIds.size;

  return withEffectsDatabase(async (pool) => {
    const consumer = createEventConsumer<EventTypes>({
      kafka: workload.kafka,
      groupId,
      topics: [workload.topic],
      pool,
      codec: createCodec(workload.registry),
      schemas: workload.catalog,
      partitionsConsumedConcurrently: workload.partitions,
      inboxBatchSize,
      metricsRegistry: new Registry(),
    });
    consumer.on(stockReserved, 'bench-effect', async ({ event, tx }) => {
      const [key, seq] = keyAndSeq(event.value.actor);
      await tx.query(insertEffectSql, [event.id, key, seq]);
    });

    let measurement: Measurement;
    try {
      measurement = await timeUntilComplete(
        events,
        () => consumer.start(),
        async () => (await effectCount(pool)) >= events,
        25,
        `${events} effects of ${groupId}`,
      );
    } finally {
      await consumer.stop();
    }

    await verifyEffects(pool, workload, groupId, true);
    return measurement;
  });
}

/**
 * 5. A replay for reprocessing: the topic is first handled once (not timed),
 * then replayed from the start into a new group under a new epoch, so every
 * handler runs again although the inbox holds the first pass's rows. Timed
 * from the replay consumer's start until every event has its second effect.
 */
export async function measureReplay(workload: Workload, groupId: string): Promise<Measurement> {
  const events = workload.eventIds.size;

  return withEffectsDatabase(async (pool) => {
    const consumerIn = (group: string) => {
      const consumer = createEventConsumer<EventTypes>({
        kafka: workload.kafka,
        groupId: group,
        topics: [workload.topic],
        pool,
        codec: createCodec(workload.registry),
        schemas: workload.catalog,
        partitionsConsumedConcurrently: workload.partitions,
        inboxBatchSize: 50,
        metricsRegistry: new Registry(),
      });
      consumer.on(stockReserved, 'bench-effect', async ({ event, tx }) => {
        const [key, seq] = keyAndSeq(event.value.actor);
        await tx.query(insertEffectSql, [event.id, key, seq]);
      });
      return consumer;
    };

    const firstGroup = `${groupId}-first-pass`;
    const first = consumerIn(firstGroup);
    await first.start();
    try {
      await waitFor(async () => (await effectCount(pool)) >= events, {
        timeoutMs: deadlineMs(events),
        what: `the first pass of ${groupId}`,
      });
    } finally {
      await first.stop();
    }

    const admin = workload.kafka.admin();
    await admin.connect();
    try {
      const request = {
        groupId: firstGroup,
        topic: workload.topic,
        from: {
          offsets: Object.fromEntries(
            Array.from({ length: workload.partitions }, (_, p) => [p, '0']),
          ),
        },
      };
      const plan = await planReplay(admin, request);
      await prepareReplayGroup(admin, pool, request, plan, groupId, { rerun: true });
    } finally {
      await admin.disconnect();
    }

    const replay = consumerIn(groupId);
    let measurement: Measurement;
    try {
      measurement = await timeUntilComplete(
        events,
        () => replay.start(),
        async () => (await effectCount(pool)) >= 2 * events,
        25,
        `${events} replayed effects of ${groupId}`,
      );
    } finally {
      await replay.stop();
    }

    const { rows } = await pool.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM effects',
    );
    assert.deepEqual(rows[0], { n: 2 * events, distinct: events }, `${groupId}: each event twice`);
    return measurement;
  });
}
