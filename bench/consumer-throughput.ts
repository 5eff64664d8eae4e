// Consumer read path: events per second through four consumers of one
// pre-filled topic of framed Avro StockReserved events, each in a fresh group
// so each reads the whole topic: kafkajs alone (the ceiling), the handler
// alone (decode and one INSERT per transaction), and createEventConsumer with
// its inbox per event and per 50 events. Each is timed from its start until
// every event is seen or written, then checked for missing and duplicate
// effects. Rounds alternate the order; medians are reported.
//
//   node --import tsx bench/consumer-throughput.ts [--events 20000] [--rounds 2]
//     [--partitions 3] [--keys 100]
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { deadLetterTopic } from '@eventline/consumer';
import {
  avroType,
  createCodec,
  createRegistryClient,
  registerCatalog,
  type CatalogEntry,
  type RegistryClient,
  type StockReserved,
} from '@eventline/schemas';
import {
  createTopic,
  stackEndpoints,
  testCatalog,
  testKafka,
  uniqueName,
} from '@eventline/testkit';
import { Partitioners, type Admin, type Kafka } from 'kafkajs';

import {
  measureEventConsumer,
  measureHandler,
  measureRaw,
  measureReplay,
  stockReserved,
  variantLabels,
  type Measurement,
  type VariantName,
  type Workload,
} from './lib/consumer-variants';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
    partitions: { type: 'string', default: '3' },
    keys: { type: 'string', default: '100' },
  },
});

function positiveInteger(name: keyof typeof args): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be an integer >= 1, got ${args[name]}`);
  }

  return value;
}

const events = positiveInteger('events');
const rounds = positiveInteger('rounds');
const partitions = positiveInteger('partitions');
const keys = positiveInteger('keys');

const variantOrder: VariantName[] = ['raw', 'handler', 'inbox', 'inboxBatch50', 'replayRerun'];
const produceChunk = 1000;

interface VariantResult {
  description: string;
  eventsPerSecond: number;
  rounds: number[];
  startMs: number;
  ratioToRaw: number;
  ratioToHandler: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) {
    return sorted[middle] ?? 0;
  }

  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Cleanup steps run last-first; a failing step is reported and fails the run, not the others. */
class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  async runAll(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        process.exitCode = 1;
        process.stderr.write(`cleanup failed: ${step.what}: ${String(error)}\n`);
      }
    }
  }
}

/**
 * Registers the StockReserved schema and writes `events` framed events over
 * `keys` keys, `key:seq` in `actor`, each with an `id` header as the outbox
 * router adds; returns the ids.
 */
async function produceWorkload(
  kafka: Kafka,
  registry: RegistryClient,
  entry: CatalogEntry,
): Promise<Set<string>> {
  await registerCatalog(registry, [entry]);
  const schemaId = (await registry.lookup(entry.subject, entry.schema))?.id;
  if (schemaId === undefined) {
    throw new Error(`${entry.subject} is not registered after registering it`);
  }

  const type = avroType(entry.schema);
  const codec = createCodec(registry);
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

  const eventIds = new Set<string>();
  await producer.connect();
  try {
    for (let first = 0; first < events; first += produceChunk) {
      const count = Math.min(produceChunk, events - first);
      const messages = Array.from({ length: count }, (_, i) => {
        const n = first + i;
        const key = `key-${n % keys}`;
        const value: StockReserved = {
          sagaId: randomUUID(),
          orderId: randomUUID(),
          occurredAt: new Date(),
          actor: `${key}:${Math.floor(n / keys)}`,
        };
        const id = randomUUID();
        eventIds.add(id);
        return { key, value: codec.encode(schemaId, type, value), headers: { id } };
      });
      await producer.send({ topic: entry.topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return eventIds;
}

/** Events per partition as the broker reports them; their sum must be `events`. */
async function partitionCounts(admin: Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const counts = offsets
    .sort((a, b) => a.partition - b.partition)
    .map((offset) => Number(offset.high) - Number(offset.low));
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total !== events) {
    throw new Error(`Topic ${topic} holds ${total} events, ${events} were produced`);
  }

  return counts;
}

function measure(variant: VariantName, workload: Workload, groupId: string): Promise<Measurement> {
  switch (variant) {
    case 'raw':
      return measureRaw(workload, groupId);
    case 'handler':
      return measureHandler(workload, groupId);
    case 'inbox':
      return measureEventConsumer(workload, groupId, 1);
    case 'inboxBatch50':
      return measureEventConsumer(workload, groupId, 50);
    case 'replayRerun':
      return measureReplay(workload, groupId);
  }
}

async function versions(): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  const kafkajs = require('kafkajs/package.json') as { version: string };
  // The broker does not report its release over the protocol: this is the
  // release the local stack scripts run (docker-compose.yml pins its own).
  const stackVersions = await readFile(
    new URL('../scripts/stack/versions.sh', import.meta.url),
    'utf8',
  );
  const kafka = /^KAFKA_VERSION=(\S+)$/m.exec(stackVersions)?.[1] ?? 'unknown';
  return { node: process.version, kafkajs: kafkajs.version, kafka };
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    await run(cleanup);
  } finally {
    await cleanup.runAll();
  }
}

async function run(cleanup: Cleanup): Promise<void> {
  const prefix = uniqueName('bench_consumer');
  const kafka = testKafka(`${prefix}-bench`);
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const catalog = await testCatalog(prefix);
  const entry = catalog.find((candidate) => candidate.fullName === stockReserved);
  if (!entry) {
    throw new Error(`The schema catalog has no ${stockReserved}`);
  }

  const topic = entry.topic;
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('disconnect the admin client', () => admin.disconnect());

  // The dead-letter topic exists before the runs, as after a deploy, so that
  // no run pays for creating it.
  await createTopic(admin, topic, partitions);
  await createTopic(admin, deadLetterTopic(topic), partitions);
  cleanup.add(`delete topics ${topic} and its dead letters`, () =>
    admin.deleteTopics({ topics: [topic, deadLetterTopic(topic)] }),
  );

  const workload: Workload = {
    kafka,
    registry,
    topic,
    catalog,
    readerTypes: new Map([[stockReserved, avroType(entry.schema)]]),
    eventIds: await produceWorkload(kafka, registry, entry),
    partitions,
  };
  const perPartition = await partitionCounts(admin, topic);

  const groups: string[] = [];
  cleanup.add('delete the consumer groups', async () => {
    if (groups.length > 0) {
      await admin.deleteGroups(groups);
    }
  });
  const rates: Record<VariantName, number[]> = {
    raw: [],
    handler: [],
    inbox: [],
    inboxBatch50: [],
    replayRerun: [],
  };
  const startMs: Record<VariantName, number[]> = {
    raw: [],
    handler: [],
    inbox: [],
    inboxBatch50: [],
    replayRerun: [],
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variantOrder : [...variantOrder].reverse();
    for (const variant of order) {
      const groupId = `${prefix}-${variant}-${round}`;
      groups.push(groupId);
      const result = await measure(variant, workload, groupId);
      rates[variant].push(result.eventsPerSecond);
      startMs[variant].push(result.startMs);
      process.stdout.write(
        `  round ${round + 1} ${variant}: ${Math.round(result.eventsPerSecond)} events/s ` +
          `(${Math.round(result.totalMs)} ms, start ${Math.round(result.startMs)} ms)\n`,
      );
    }
  }

  await report(perPartition, rates, startMs);
}

async function report(
  perPartition: number[],
  rates: Record<VariantName, number[]>,
  startMs: Record<VariantName, number[]>,
): Promise<void> {
  const raw = median(rates.raw);
  const handler = median(rates.handler);
  const variants = {} as Record<VariantName, VariantResult>;
  for (const variant of variantOrder) {
    const rate = median(rates[variant]);
    variants[variant] = {
      description: variantLabels[variant],
      eventsPerSecond: Math.round(rate),
      rounds: rates[variant].map(Math.round),
      startMs: Math.round(median(startMs[variant])),
      ratioToRaw: Number((rate / raw).toFixed(3)),
      ratioToHandler: Number((rate / handler).toFixed(3)),
    };
  }

  const result = {
    benchmark: 'consumer-throughput',
    date: new Date().toISOString(),
    cores: cpus().length,
    versions: await versions(),
    events,
    partitions,
    keys,
    eventsPerPartition: perPartition,
    rounds,
    partitionsConsumedConcurrently: partitions,
    timing: 'from the consumer start (group join included) until all events are seen or written',
    variants,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/consumer-throughput.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );

  process.stdout.write(
    `consumer throughput: ${events} events, ${partitions} partitions, ${keys} keys, ` +
      `median of ${rounds} round(s), ${result.cores} cores\n`,
  );
  for (const variant of variantOrder) {
    const { eventsPerSecond, ratioToRaw, ratioToHandler } = variants[variant];
    process.stdout.write(
      `  ${variant.padEnd(13)} ${String(eventsPerSecond).padStart(7)} events/s  ` +
        `x${ratioToRaw.toFixed(3)} of raw  x${ratioToHandler.toFixed(3)} of handler  ` +
        `(${variantLabels[variant]})\n`,
    );
  }
}

await main();
