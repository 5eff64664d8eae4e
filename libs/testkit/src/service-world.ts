import assert from 'node:assert/strict';

import { withDatabase } from '@eventline/db';
import { createRegistryClient, registerCatalog, type CatalogEntry } from '@eventline/schemas';
import { serviceConfigFrom, type ServiceConfig } from '@eventline/service';

import { startTestCapture, type TestCapture } from './capture';
import { createTestDatabase, type TestDatabase } from './database';
import { collectMessages, createTopic, testKafka, type Collector } from './kafka';
import { createRecordProducer, type RecordProducer } from './records';
import { testCatalog } from './schemas';
import { stackEndpoints } from './stack';

export interface ServiceWorldOptions<S> {
  /** Database name prefix, e.g. 't_inv'. */
  prefix: string;
  name: string;
  /** The service's production database name, for its default settings. */
  database: string;
  /** A connector file in connectors/ when the service publishes through its outbox. */
  connectorFile?: string;
  /** Topics the test uses, without the prefix; created with 3 partitions. */
  topics: string[];
  /** A topic to collect from the start (the service's replies), without the prefix. */
  collect?: string;
  start(config: ServiceConfig): Promise<S>;
}

/**
 * One service under test on the real stack: a database of its own, topics
 * and registered subjects under a prefix of its own (`<db>.`), its outbox
 * captured with its real connector file, the service started in process, a
 * producer for its inputs and a collector of its outputs.
 */
export interface ServiceWorld<S> {
  db: TestDatabase;
  service: S;
  /** `<db name>.`: put before every topic name. */
  topicPrefix: string;
  catalog: CatalogEntry[];
  producer: RecordProducer;
  collected: Collector | undefined;
  /** The catalog entry of a record (its prefixed topic and subject). */
  entry(fullName: string): CatalogEntry;
  close(): Promise<void>;
}

export async function startServiceWorld<S extends { stop(): Promise<void> }>(
  options: ServiceWorldOptions<S>,
): Promise<ServiceWorld<S>> {
  const db = await createTestDatabase(options.prefix);
  const topicPrefix = `${db.name}.`;
  const catalog = await testCatalog(db.name);
  await registerCatalog(createRegistryClient({ url: stackEndpoints().registryUrl }), catalog);
  const capture: TestCapture | undefined = options.connectorFile
    ? await startTestCapture(db, options.connectorFile)
    : undefined;

  const kafka = testKafka(db.name);
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of options.topics) {
    await createTopic(admin, `${topicPrefix}${topic}`);
  }
  await admin.disconnect();

  const service = await options.start({
    ...serviceConfigFrom({}, { name: options.name, database: options.database, httpPort: 0 }),
    databaseUrl: withDatabase(stackEndpoints().pgAppUrl, db.name),
    topicPrefix,
    logLevel: 'warn',
  });
  const producer = await createRecordProducer(kafka);
  const collected = options.collect
    ? await collectMessages(kafka, `${topicPrefix}${options.collect}`, `${db.name}-collector`)
    : undefined;

  return {
    db,
    service,
    topicPrefix,
    catalog,
    producer,
    collected,
    entry(fullName) {
      const entry = catalog.find((candidate) => candidate.fullName === fullName);
      assert.ok(entry, `${fullName} is in the catalog`);
      return entry;
    },
    async close() {
      await service.stop();
      await collected?.stop();
      await producer.stop();
      await capture?.stop();
      await db.drop();
    },
  };
}
