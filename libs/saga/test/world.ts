import { randomUUID } from 'node:crypto';

import { consumerMigrations, createEventConsumer, type EventConsumer } from '@eventline/consumer';
import { migrate } from '@eventline/db';
import { createOutboxPublisher, type OutboxPublisher } from '@eventline/outbox';
import {
  avroType,
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
  waitFor,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import type avro from 'avsc';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';

import {
  createSagaEngine,
  isTerminal,
  readSagaInstance,
  readSagaTransitions,
  sagaMigrations,
  type Saga,
  type SagaEngine,
  type SagaInstance,
  type SagaTransition,
} from '../src/index';
import {
  cooperative,
  startParticipants,
  type Behaviour,
  type Participants,
  type Produce,
} from './participants';
import { dataFromOrder, testOrderSaga, type TestOrderData } from './test-saga';

export interface SagaWorldOptions {
  deadlineMs: number;
  compensationAttempts: number;
  /** False to leave deadlines to the test, through engine.checkDeadlines() (default true). */
  watchDeadlines?: boolean;
}

/**
 * A test file's world: its own database (outbox, inbox and saga tables)
 * captured by its own Debezium connector, its own topics and registered
 * schemas, an orchestrator (an EventConsumer on the event topics starting
 * the test saga on OrderPlaced and feeding replies to the engine, plus the
 * deadline watcher) and fake participants on the command topics.
 */
export interface SagaWorld {
  db: TestDatabase;
  kafka: Kafka;
  engine: SagaEngine<EventTypes>;
  saga: Saga<EventTypes, TestOrderData>;
  participants: Participants;
  metrics: Registry;
  publisher: OutboxPublisher<EventTypes>;
  produce: Produce;
  topicOf(type: keyof EventTypes): string;
  /** Publishes an OrderPlaced whose saga (id = order id) meets `behaviour`; returns the id. */
  placeOrder(behaviour?: Behaviour, headers?: Record<string, string>): Promise<string>;
  instance(sagaId: string): Promise<SagaInstance | undefined>;
  transitions(sagaId: string): Promise<SagaTransition[]>;
  waitForTerminal(sagaId: string, timeoutMs?: number): Promise<SagaInstance>;
  /** True once the orchestrator committed its handling of the event (its inbox row exists). */
  handled(eventId: string): Promise<boolean>;
  /** The sum of a metric's values over its labels. */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

export async function createSagaWorld(
  prefix: string,
  options: SagaWorldOptions,
): Promise<SagaWorld> {
  const db = await createTestDatabase(prefix);
  const capture: TestCapture = await startTestCapture(db);
  await migrate(db.pool, [consumerMigrations, sagaMigrations]);

  const catalog = await testCatalog(db.name);
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  await registerCatalog(registry, catalog);
  const codec = createCodec(registry);
  const records = new Map<string, { id: number; type: avro.Type; topic: string }>();
  for (const entry of catalog) {
    const found = await registry.lookup(entry.subject, entry.schema);
    records.set(entry.fullName, {
      id: found?.id ?? -1,
      type: avroType(entry.schema),
      topic: entry.topic,
    });
  }
  const topicOf = (type: keyof EventTypes) => records.get(type)?.topic ?? '';
  const topics = [...new Set(catalog.map((entry) => entry.topic))];
  const commandTopics = topics.filter((topic) => topic.endsWith('.commands'));
  const eventTopics = topics.filter((topic) => topic.endsWith('.events'));

  const kafka = testKafka(`${prefix}-test`);
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of topics) {
    await createTopic(admin, topic, 3);
  }
  const producer: Producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  const produce: Produce = async (type, key, value, produceOptions = {}) => {
    const record = records.get(type);
    if (!record) {
      throw new Error(`No schema for ${type} in the test catalog`);
    }
    const id = produceOptions.id ?? randomUUID();
    await producer.send({
      topic: record.topic,
      messages: [
        {
          key,
          value: codec.encode(record.id, record.type, value),
          headers: { ...produceOptions.headers, id },
          ...(produceOptions.partition === undefined
            ? {}
            : { partition: produceOptions.partition }),
        },
      ],
    });
    return id;
  };

  const publisher = createOutboxPublisher<EventTypes>({ registry, codec, schemas: catalog });
  await publisher.start();
  const metrics = new Registry();
  const saga = testOrderSaga(options.deadlineMs);
  const engine = createSagaEngine<EventTypes>({
    pool: db.pool,
    publisher,
    sagas: [saga],
    metricsRegistry: metrics,
    deadlineIntervalMs: 200,
    compensationAttempts: options.compensationAttempts,
  });

  const groupId = `${db.name}-orchestrator`;
  const orchestrator: EventConsumer<EventTypes> = createEventConsumer<EventTypes>({
    kafka,
    groupId,
    topics: eventTopics,
    pool: db.pool,
    codec,
    schemas: catalog,
    publisher,
    metricsRegistry: metrics,
    retryBackoff: { initialMs: 20, maxMs: 200, factor: 2 },
  });
  orchestrator.on('eventline.orders.OrderPlaced', 'start-test-order', async (context) => {
    const order = context.event.value;
    await engine.start(context, saga, order.orderId, dataFromOrder(order));
  });
  engine.register(orchestrator);
  await orchestrator.start();
  await waitFor(
    async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length > 0;
    },
    { what: 'the orchestrator to join its group', timeoutMs: 60_000 },
  );
  await admin.disconnect();

  const participants = await startParticipants(
    kafka,
    `${db.name}-participants`,
    commandTopics,
    codec,
    produce,
  );
  if (options.watchDeadlines ?? true) {
    engine.startDeadlineWatcher();
  }

  const instance = (sagaId: string) => readSagaInstance(db.pool, sagaId);

  return {
    db,
    kafka,
    engine,
    saga,
    participants,
    metrics,
    publisher,
    produce,
    topicOf,
    instance,
    transitions: (sagaId) => readSagaTransitions(db.pool, sagaId),

    async placeOrder(behaviour = cooperative, headers = {}) {
      const orderId = randomUUID();
      participants.behave(orderId, behaviour);
      await produce(
        'eventline.orders.OrderPlaced',
        orderId,
        {
          orderId,
          customerId: randomUUID(),
          lines: [{ sku: 'sku-1', quantity: 2, unitPriceMinor: 1250 }],
          totalMinor: 2500,
          currency: 'EUR',
          occurredAt: new Date(),
          actor: 'user:test',
        },
        { headers },
      );
      return orderId;
    },

    async waitForTerminal(sagaId, timeoutMs = 30_000) {
      return waitFor(
        async () => {
          const found = await instance(sagaId);
          return found && isTerminal(found.state) ? found : undefined;
        },
        { what: `saga ${sagaId} to end`, timeoutMs },
      );
    },

    async handled(eventId) {
      const { rowCount } = await db.pool.query('SELECT 1 FROM consumer_inbox WHERE event_id = $1', [
        eventId,
      ]);
      return rowCount === 1;
    },

    async metric(name) {
      const metric = metrics.getSingleMetric(name);
      if (!metric) {
        return 0;
      }
      const { values } = await metric.get();
      return values.reduce((sum, sample) => sum + sample.value, 0);
    },

    async close() {
      await engine.stop();
      await orchestrator.stop();
      await participants.stop();
      await producer.disconnect();
      await capture.stop();
      await db.drop();
    },
  };
}
