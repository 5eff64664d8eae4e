// Commit-to-handler latency at steady offered rates: events are published
// through the outbox one per transaction, paced, and a createEventConsumer
// handler in this process notes when each arrives; latency is handler start
// minus the moment the commit returned, both on this process's monotonic
// clock. The floor in the same run, at the same rates: kafkajs producing to
// a fresh topic and a kafkajs consumer receiving (send call to eachMessage).
// Percentiles p50/p99/p99.9 of both, and their ratios.
//
//   node --import tsx bench/latency.ts [--rates 50,200,1000] [--seconds 20]
//     [--connector poll.interval.ms=10] [--inbox-batch 20] (tuning runs)
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { consumerMigrations, createEventConsumer } from '@eventline/consumer';
import { migrate, withTransaction } from '@eventline/db';
import { createOutboxPublisher } from '@eventline/outbox';
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
} from '@eventline/testkit';
import { Partitioners } from 'kafkajs';
import { Registry } from 'prom-client';

import { parseOverrides, startCapture } from './lib/capture';
import { now, offerAtRate, percentilesOf, type Percentiles } from './lib/pacing';
import {
  componentVersions,
  deleteTopicsContaining,
  round,
  withCleanup,
  writeResult,
} from './lib/run';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,200,1000' },
    seconds: { type: 'string', default: '20' },
    partitions: { type: 'string', default: '3' },
    connector: { type: 'string', default: '' },
    'inbox-batch': { type: 'string' },
  },
});
const rates = (args.rates ?? '').split(',').map(Number);
const seconds = Number(args.seconds);
const partitions = Number(args.partitions);
const overrides = parseOverrides(args.connector);
// Unset, the consumer runs with its own default, which is what is measured.
const inboxBatchSize = args['inbox-batch'] === undefined ? undefined : Number(args['inbox-batch']);
if (rates.some((rate) => !(rate > 0)) || !(seconds > 0) || !Number.isInteger(partitions)) {
  throw new Error('--rates must be positive numbers, --seconds positive, --partitions an integer');
}

const orderPlaced = 'eventline.orders.OrderPlaced';
const warmUpEvents = 20;

function order(): OrderPlaced {
  return {
    orderId: randomUUID(),
    customerId: randomUUID(),
    lines: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 1250 }],
    totalMinor: 1250,
    currency: 'EUR',
    occurredAt: new Date(),
    actor: 'user:bench',
  };
}

/** Start and arrival times of one phase's events, by event id. */
class Arrivals {
  readonly sent = new Map<string, number>();
  readonly received = new Map<string, number>();
  /** When a plain kafkajs consumer saw each event on the topic, for the split below. */
  readonly onTopic = new Map<string, number>();

  /**
   * Commit → seen on the topic by a plain kafkajs consumer, and the
   * handler's arrival after that: says whether capture or the event consumer
   * is the slow part.
   */
  split(): { commitToTopicMs: number[]; topicToHandlerMs: number[] } {
    const commitToTopicMs: number[] = [];
    const topicToHandlerMs: number[] = [];
    for (const [id, at] of this.sent) {
      const seen = this.onTopic.get(id);
      const handled = this.received.get(id);
      if (seen !== undefined && handled !== undefined) {
        commitToTopicMs.push(seen - at);
        topicToHandlerMs.push(handled - seen);
      }
    }
    return { commitToTopicMs, topicToHandlerMs };
  }

  /**
   * Events handled per second from the first send to the last arrival: below
   * the offered rate, the path is saturated and its latency is queueing.
   */
  handledPerSecond(): number {
    const first = Math.min(...this.sent.values());
    const last = Math.max(...this.received.values());
    // n events span n - 1 intervals.
    return (this.sent.size - 1) / Math.max(0.001, (last - first) / 1000);
  }

  latencies(): number[] {
    return [...this.sent].map(([id, at]) => (this.received.get(id) ?? Number.NaN) - at);
  }

  async waitForAll(what: string): Promise<void> {
    await waitFor(() => [...this.sent.keys()].every((id) => this.received.has(id)), {
      what,
      timeoutMs: 60_000 + this.sent.size * 20,
      intervalMs: 20,
    });
  }
}

interface RateResult {
  offeredPerSecond: number;
  achievedPerSecond: number;
  handledPerSecond: number;
  commitToHandlerMs: Percentiles;
  split: { commitToTopicMs: Percentiles; topicToHandlerMs: Percentiles };
  floorMs: Percentiles;
  ratio: { p50: number; p99: number; p999: number };
}

const ratioOf = (a: number, b: number) => round(a / Math.max(b, 0.1), 2);

await withCleanup(async (cleanup) => {
  const db = await createTestDatabase('bench_latency');
  cleanup.add(`drop database ${db.name}`, () => db.drop());
  const prefix = db.name;
  const kafka = testKafka(`${prefix}-bench`);
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('disconnect the admin client', () => admin.disconnect());
  cleanup.add('delete the topics of this run', () => deleteTopicsContaining(kafka, prefix));

  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const catalog = await testCatalog(prefix);
  await registerCatalog(registry, catalog);
  const entry = catalog.find((candidate) => candidate.fullName === orderPlaced);
  const schemaId = entry ? (await registry.lookup(entry.subject, entry.schema))?.id : undefined;
  if (!entry || schemaId === undefined) {
    throw new Error(`${orderPlaced} is not in the registered test catalog`);
  }

  const captured = entry.topic;
  const direct = `${entry.topic}.direct`;
  await createTopic(admin, captured, partitions);
  await createTopic(admin, direct, partitions);

  // The pipeline: outbox → Debezium (connectors/orders.json) → Kafka → handler.
  const capture = await startCapture(db, overrides);
  cleanup.add('remove the connector and drop its slot', () => capture.stop());
  await migrate(db.pool, [consumerMigrations]);
  const codec = createCodec(registry);
  const publisher = createOutboxPublisher<EventTypes>({ registry, codec, schemas: [entry] });
  await publisher.start();

  let pipeline = new Arrivals();
  const consumer = createEventConsumer<EventTypes>({
    kafka,
    groupId: `${prefix}-handler`,
    topics: [captured],
    pool: db.pool,
    codec,
    schemas: catalog,
    partitionsConsumedConcurrently: partitions,
    metricsRegistry: new Registry(),
    ...(inboxBatchSize === undefined ? {} : { inboxBatchSize }),
  });
  consumer.on(orderPlaced, 'bench-latency', async ({ event }) => {
    pipeline.received.set(event.id, now());
  });

  const publishOne = async (): Promise<void> => {
    const value = order();
    const id = await withTransaction(db.pool, (tx) =>
      publisher.publish(tx, { type: orderPlaced, key: value.orderId, value }),
    );
    pipeline.sent.set(id, now());
  };

  // The floor: kafkajs to kafkajs on a fresh topic, payloads of the same size.
  let floor = new Arrivals();
  const payload = codec.encode(schemaId, avroType(entry.schema), order());
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  cleanup.add('disconnect the producer', () => producer.disconnect());
  const reader = kafka.consumer({ groupId: `${prefix}-floor`, allowAutoTopicCreation: false });
  // A plain consumer of the captured topic beside the event consumer: when
  // each event reached Kafka, to split the latency between capture and handling.
  const tap = kafka.consumer({ groupId: `${prefix}-tap`, allowAutoTopicCreation: false });
  // All at once: each waits out its long-polling fetch before leaving.
  cleanup.add('stop the consumers', () =>
    Promise.all([consumer.stop(), reader.disconnect(), tap.disconnect()]),
  );
  // The groups join at once: each join waits out the broker's initial rebalance delay.
  await Promise.all([consumer.start(), reader.connect(), tap.connect()]);
  await tap.subscribe({ topics: [captured], fromBeginning: true });
  await tap.run({
    partitionsConsumedConcurrently: partitions,
    eachMessage: async ({ message }) => {
      const id = message.headers?.id?.toString();
      if (id !== undefined) {
        pipeline.onTopic.set(id, now());
      }
    },
  });
  await reader.subscribe({ topics: [direct], fromBeginning: true });
  await reader.run({
    partitionsConsumedConcurrently: partitions,
    eachMessage: async ({ message }) => {
      const id = message.headers?.id?.toString();
      if (id !== undefined) {
        floor.received.set(id, now());
      }
    },
  });
  const produceOne = async (): Promise<void> => {
    const id = randomUUID();
    floor.sent.set(id, now());
    await producer.send({
      topic: direct,
      acks: -1,
      messages: [{ key: randomUUID(), value: payload, headers: { id } }],
    });
  };

  // Warm-up, not measured: both consumers have joined and every path has run once.
  await Promise.all([
    offerAtRate(warmUpEvents, 1, publishOne),
    offerAtRate(warmUpEvents, 1, produceOne),
  ]);
  await pipeline.waitForAll('the warm-up events to reach the handler');
  await floor.waitForAll('the warm-up messages to reach the floor consumer');

  const results: RateResult[] = [];
  for (const rate of rates) {
    pipeline = new Arrivals();
    const achieved = await offerAtRate(rate, seconds, publishOne);
    await pipeline.waitForAll(`${pipeline.sent.size} events at ${rate}/s to reach the handler`);
    floor = new Arrivals();
    await offerAtRate(rate, seconds, produceOne);
    await floor.waitForAll(`${floor.sent.size} messages at ${rate}/s to reach the floor consumer`);

    const subject = percentilesOf(pipeline.latencies());
    const reference = percentilesOf(floor.latencies());
    results.push({
      offeredPerSecond: rate,
      achievedPerSecond: round(achieved),
      handledPerSecond: round(pipeline.handledPerSecond()),
      commitToHandlerMs: subject,
      split: {
        commitToTopicMs: percentilesOf(pipeline.split().commitToTopicMs),
        topicToHandlerMs: percentilesOf(pipeline.split().topicToHandlerMs),
      },
      floorMs: reference,
      ratio: {
        p50: ratioOf(subject.p50, reference.p50),
        p99: ratioOf(subject.p99, reference.p99),
        p999: ratioOf(subject.p999, reference.p999),
      },
    });
    process.stdout.write(
      `  ${rate}/s (achieved ${round(achieved)}/s, handled ${round(pipeline.handledPerSecond())}/s): commit→handler p50 ${subject.p50} ms, ` +
        `p99 ${subject.p99} ms, p99.9 ${subject.p999} ms; floor p50 ${reference.p50} ms, ` +
        `p99 ${reference.p99} ms, p99.9 ${reference.p999} ms\n`,
    );
    const split = results[results.length - 1]?.split;
    process.stdout.write(
      `    of which commit→on the topic p50 ${split?.commitToTopicMs.p50} ms ` +
        `(p99 ${split?.commitToTopicMs.p99}), topic→handler p50 ` +
        `${split?.topicToHandlerMs.p50} ms (p99 ${split?.topicToHandlerMs.p99})\n`,
    );
  }

  await writeResult('latency', {
    benchmark: 'latency',
    date: new Date().toISOString(),
    cores: cpus().length,
    versions: await componentVersions(),
    secondsPerRate: seconds,
    partitions,
    connectorOverrides: overrides,
    inboxBatchSize: inboxBatchSize ?? 'default',
    rates: results,
    timing:
      'commit→handler: from the publishing transaction’s COMMIT returning to the handler ' +
      'being called; floor: from the kafkajs send call to eachMessage; one monotonic clock',
    reference: 'kafkajs producer (acks=all, one message per send) → kafkajs consumer, fresh topic',
  });
  process.stdout.write(
    `latency: ${rates.length} rates, ${seconds} s each, ${cpus().length} cores\n`,
  );
});
