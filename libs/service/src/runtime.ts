import {
  createEventConsumer,
  consumerMigrations,
  type EventConsumer,
  type EventConsumerOptions,
} from '@eventline/consumer';
import { createPool, migrate, type MigrationSet, type Pool } from '@eventline/db';
import type { Logger } from '@eventline/observability';
import {
  createCaptureLagMonitor,
  createOutboxPublisher,
  outboxMigrations,
  type CaptureLagMonitor,
  type OutboxPublisher,
} from '@eventline/outbox';
import {
  createCodec,
  createRegistryClient,
  loadCatalog,
  subjectFor,
  type CatalogEntry,
  type Codec,
  type EventTypes,
  type RegistryClient,
} from '@eventline/schemas';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';

import type { ServiceConfig } from './config';

/** Everything a service of the reference system is built from; `stop()` closes it all. */
export interface ServiceRuntime {
  config: ServiceConfig;
  logger: Logger;
  pool: Pool;
  kafka: Kafka;
  registry: RegistryClient;
  codec: Codec;
  /** The schema catalog with the topic prefix applied. */
  catalog: CatalogEntry[];
  metrics: Registry;
  /** A topic's name with the prefix. */
  topic(name: string): string;
  /** An outbox publisher for these topics, started: it fails naming any unregistered schema. */
  publisher(topics: string[]): Promise<OutboxPublisher<EventTypes>>;
  /** A consumer in the service's group (name + prefix) on these topics. */
  consumer(
    topics: string[],
    options?: Partial<
      Omit<EventConsumerOptions<EventTypes>, 'kafka' | 'pool' | 'codec' | 'topics'>
    >,
  ): EventConsumer<EventTypes>;
  /** Registers something to stop, before the pool and clients close (last registered, first stopped). */
  onStop(stop: () => Promise<void>): void;
  stop(): Promise<void>;
}

/**
 * Connects a service: its pool (and migrations: outbox, consumer inbox and
 * parking, then the service's own), Kafka, the registry and the catalog.
 */
export async function createServiceRuntime(
  config: ServiceConfig,
  migrations: MigrationSet[],
  logger: Logger = pino({ level: config.logLevel, base: { service: config.name } }),
): Promise<ServiceRuntime> {
  const pool = createPool(
    { connectionString: config.databaseUrl, applicationName: config.name },
    (error) =>
      logger.warn({ error: error.message }, 'A database connection failed; the pool replaces it'),
  );
  await migrate(pool, [outboxMigrations, consumerMigrations, ...migrations]);

  const prefix = config.topicPrefix;
  const catalog = (await loadCatalog(config.schemasDir)).map((entry) => {
    const topic = `${prefix}${entry.topic}`;
    return { ...entry, topic, subject: subjectFor(topic, entry.fullName) };
  });
  const registry = createRegistryClient({ url: config.registryUrl, logger });
  const codec = createCodec(registry);
  const kafka = new Kafka({
    clientId: config.name,
    brokers: config.kafkaBrokers,
    logLevel: logLevel.WARN,
  });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const stops: (() => Promise<void>)[] = [];
  let captureLag: CaptureLagMonitor | undefined;

  return {
    config,
    logger,
    pool,
    kafka,
    registry,
    codec,
    catalog,
    metrics,
    topic: (name) => `${prefix}${name}`,

    async publisher(topics) {
      const wanted = new Set(topics.map((t) => `${prefix}${t}`));
      const publisher = createOutboxPublisher<EventTypes>({
        registry,
        codec,
        schemas: catalog.filter((entry) => wanted.has(entry.topic)),
        logger,
      });
      await publisher.start();
      // A service that publishes watches the slot capturing its outbox: the
      // alert is on its /metrics and in its log.
      if (!captureLag) {
        captureLag = createCaptureLagMonitor({
          pool,
          ownDatabaseOnly: true,
          logger,
          metricsRegistry: metrics,
        });
        await captureLag.start();
      }
      return publisher;
    },

    consumer(topics, options = {}) {
      return createEventConsumer<EventTypes>({
        kafka,
        pool,
        codec,
        schemas: catalog,
        groupId: `${prefix}${config.name}`,
        metricsRegistry: metrics,
        logger,
        sessionTimeoutMs: config.consumerSessionTimeoutMs,
        ...options,
        topics: topics.map((t) => `${prefix}${t}`),
      });
    },

    onStop(stop) {
      stops.push(stop);
    },

    async stop() {
      captureLag?.stop();
      for (const stop of stops.reverse()) {
        await stop();
      }
      await pool.end();
    },
  };
}
