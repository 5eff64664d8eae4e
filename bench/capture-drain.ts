// Debezium draining a backlog: N outbox rows are written while no connector
// runs (the slot exists first, so none is missed), then a connector made from
// connectors/orders.json starts, and the time from its start until all N
// records are on the topic (by the topic's end offsets) gives records/s and
// MB/s. The reference in the same run: kafkajs producing the same keys,
// Avro-framed payloads and headers straight to another fresh topic.
//
//   node --import tsx bench/capture-drain.ts [--events 100000] [--chunk 1000]
//     [--connector poll.interval.ms=10,producer.override.linger.ms=5] (tuning runs)
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';

import { migrate, withTransaction } from '@eventline/db';
import { createOutboxPublisher, outboxMigrations, provisionCapture } from '@eventline/outbox';
import {
  avroType,
  createCodec,
  createRegistryClient,
  registerCatalog,
  type EventTypes,
  type OrderPlaced,
} from '@eventline/schemas';
import {
  createTestDatabase,
  createTopic,
  stackEndpoints,
  testCatalog,
  testKafka,
  waitFor,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import { Partitioners, type Admin, type IHeaders } from 'kafkajs';

import { parseOverrides, startCapture } from './lib/capture';
import {
  benchArgs,
  componentVersions,
  deleteTopicsContaining,
  round,
  withCleanup,
  writeResult,
} from './lib/run';

const args = benchArgs(
  { events: 100_000, chunk: 1000, partitions: 3, inflight: 4 },
  { connector: '' },
);
const overrides = parseOverrides(args.connector);
const orderPlaced = 'eventline.orders.OrderPlaced';

interface BacklogEvent {
  id: string;
  key: string;
  value: OrderPlaced;
  correlationId: string;
  causationId: string;
  traceparent: string;
}

const tenant = 'tenant-bench';
const actor = 'user:bench';

function backlogEvent(n: number): BacklogEvent {
  const orderId = randomUUID();
  return {
    id: randomUUID(),
    key: orderId,
    value: {
      orderId,
      customerId: randomUUID(),
      lines: [{ sku: `SKU-${n % 50}`, quantity: 1 + (n % 3), unitPriceMinor: 1250 }],
      totalMinor: 1250 * (1 + (n % 3)),
      currency: 'EUR',
      occurredAt: new Date(),
      actor,
    },
    correlationId: randomUUID(),
    causationId: randomUUID(),
    traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().slice(0, 18).replaceAll('-', '')}-01`,
  };
}

/** Records on a topic, by its end offsets (the topic is fresh, so every low is 0). */
async function recordsOn(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
}

/** Polls until the topic holds `count` records; returns the time that took, in ms, from `since`. */
async function timeUntilOnTopic(
  admin: Admin,
  topic: string,
  count: number,
  since: bigint,
): Promise<number> {
  await waitFor(async () => (await recordsOn(admin, topic)) >= count, {
    what: `${count} records on ${topic}`,
    timeoutMs: 120_000 + count * 2,
    intervalMs: 20,
  });
  const elapsed = Number(process.hrtime.bigint() - since) / 1e6;
  const total = await recordsOn(admin, topic);
  if (total !== count) {
    throw new Error(`${topic} holds ${total} records, ${count} were written: duplicates`);
  }

  return elapsed;
}

await withCleanup(async (cleanup) => {
  const db = await createTestDatabase('bench_drain');
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  const prefix = db.name;
  const kafka = testKafka(`${prefix}-bench`);
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('disconnect the admin client', () => admin.disconnect());

  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const catalog = await testCatalog(prefix);
  await registerCatalog(registry, catalog);
  const entry = catalog.find((candidate) => candidate.fullName === orderPlaced);
  const schemaId = entry ? (await registry.lookup(entry.subject, entry.schema))?.id : undefined;
  if (!entry || schemaId === undefined) {
    throw new Error(`${orderPlaced} is not in the registered test catalog`);
  }

  // Both topics exist before either clock starts, with the partitions the
  // connector would give them, so neither run pays for creating one.
  const captured = entry.topic;
  const direct = `${entry.topic}.direct`;
  await createTopic(admin, captured, args.partitions);
  await createTopic(admin, direct, args.partitions);
  cleanup.add('delete the topics of this run', () => deleteTopicsContaining(kafka, prefix));

  // The slot first, as a service database is provisioned: rows written from
  // now on are read by the connector whenever it starts.
  await migrateAndProvision(db);
  const events = Array.from({ length: args.events }, (_, n) => backlogEvent(n));
  await writeBacklog(db, events);

  // The reference: the same bytes, produced by kafkajs straight to a topic.
  const codec = createCodec(registry);
  const type = avroType(entry.schema);
  let bytes = 0;
  const messages = events.map((event) => {
    const value = codec.encode(schemaId, type, event.value);
    const headers: IHeaders = {
      id: event.id,
      eventType: orderPlaced,
      aggregateType: captured,
      correlationId: event.correlationId,
      causationId: event.causationId,
      traceparent: event.traceparent,
      tenant,
      actor,
    };
    bytes += Buffer.byteLength(event.key) + value.length;
    for (const [name, header] of Object.entries(headers)) {
      bytes += Buffer.byteLength(name) + Buffer.byteLength(String(header));
    }
    return { key: event.key, value, headers };
  });
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  cleanup.add('disconnect the producer', () => producer.disconnect());
  const produceStarted = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: args.inflight }, async () => {
      while (next < messages.length) {
        const batch = messages.slice(next, next + args.chunk);
        next += args.chunk;
        await producer.send({ topic: direct, acks: -1, messages: batch });
      }
    }),
  );
  const directMs = await timeUntilOnTopic(admin, direct, args.events, produceStarted);

  // The subject: the connector starts on the backlog.
  // Held in an object so that cleanup reaches a connector that started late.
  const started: { capture?: TestCapture } = {};
  cleanup.add('remove the connector and drop its slot', async () => started.capture?.stop());
  const captureStarted = process.hrtime.bigint();
  started.capture = await startCapture(db, overrides);
  const runningMs = Number(process.hrtime.bigint() - captureStarted) / 1e6;
  const captureMs = await timeUntilOnTopic(admin, captured, args.events, captureStarted);

  const megabytes = bytes / 1e6;
  const captureRate = args.events / (captureMs / 1000);
  const directRate = args.events / (directMs / 1000);
  const result = {
    benchmark: 'capture-drain',
    date: new Date().toISOString(),
    cores: cpus().length,
    versions: await componentVersions(),
    events: args.events,
    partitions: args.partitions,
    connectorOverrides: overrides,
    bytesPerRecord: round(bytes / args.events),
    captureMs: Math.round(captureMs),
    connectorRunningMs: Math.round(runningMs),
    captureRecordsPerSecond: Math.round(captureRate),
    captureMegabytesPerSecond: round(megabytes / (captureMs / 1000), 2),
    directMs: Math.round(directMs),
    directRecordsPerSecond: Math.round(directRate),
    directMegabytesPerSecond: round(megabytes / (directMs / 1000), 2),
    ratio: round(captureRate / directRate, 3),
    timing:
      'capture: from the connector config being applied until the topic end offsets sum to N; ' +
      'direct: from the first send until the same',
    reference: `kafkajs producing the same keys, payloads and headers, ${args.chunk} per send, ${args.inflight} sends in flight, acks=all`,
  };
  await writeResult('capture-drain', result);
  process.stdout.write(
    `capture drain: ${args.events} records in ${result.captureMs} ms ` +
      `(${result.captureRecordsPerSecond} records/s, ${result.captureMegabytesPerSecond} MB/s; ` +
      `connector running after ${result.connectorRunningMs} ms) vs kafkajs ` +
      `${result.directRecordsPerSecond} records/s, ${result.directMegabytesPerSecond} MB/s ` +
      `(ratio ${result.ratio}, ${result.cores} cores)\n`,
  );
});

async function migrateAndProvision(db: TestDatabase): Promise<void> {
  await migrate(db.pool, [outboxMigrations]);
  await provisionCapture(db.adminPool, { captureRole: 'debezium', slotName: db.name });
}

/** Writes the backlog through the publisher, `chunk` events per transaction. */
async function writeBacklog(db: TestDatabase, events: BacklogEvent[]): Promise<void> {
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const catalog = await testCatalog(db.name);
  const publisher = createOutboxPublisher<EventTypes>({
    registry,
    codec: createCodec(registry),
    schemas: catalog.filter((entry) => entry.fullName === orderPlaced),
  });
  await publisher.start();
  for (let first = 0; first < events.length; first += args.chunk) {
    const slice = events.slice(first, first + args.chunk);
    await withTransaction(db.pool, (tx) =>
      publisher.publishAll(
        tx,
        slice.map((event) => ({
          type: orderPlaced,
          key: event.key,
          value: event.value,
          id: event.id,
          metadata: {
            correlationId: event.correlationId,
            causationId: event.causationId,
            traceparent: event.traceparent,
            tenant,
            actor,
          },
        })),
      ),
    );
  }
}
