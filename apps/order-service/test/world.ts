import { withDatabase } from '@eventline/db';
import {
  createRegistryClient,
  registerCatalog,
  type CatalogEntry,
  type Decoded,
} from '@eventline/schemas';
import { serviceConfigFrom } from '@eventline/service';
import {
  collectMessages,
  createRecordProducer,
  createTestDatabase,
  createTopic,
  headerStrings,
  stackEndpoints,
  startTestCapture,
  testCatalog,
  testKafka,
  waitFor,
  type Collector,
  type RecordProducer,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import type { KafkaMessage } from 'kafkajs';

import { startOrderService, type OrderServiceOptions, type OrderServiceRuntime } from '../src/app';

/** An event read back from the test's orders.events topic. */
export interface ReadEvent {
  key: string;
  headers: Record<string, string>;
  decoded: Decoded;
  value: Record<string, unknown>;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed body, or the text when it is not JSON. */
  body: unknown;
}

/**
 * A test file's order service: its own database, topics
 * (`<db>.orders.events`, `<db>.orders.commands`) and registered schemas, the
 * service started in-process on a free port, and, with `capture`, a Debezium
 * connector on the database and a reader of the events topic.
 */
export interface OrderWorld {
  db: TestDatabase;
  service: OrderServiceRuntime;
  catalog: CatalogEntry[];
  records: RecordProducer;
  request(method: string, path: string, init?: RequestInit): Promise<HttpAnswer>;
  /** POSTs `body` as JSON to /orders. */
  placeOrder(body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  countOrders(): Promise<number>;
  /** The catalog entry of a record full name, on this world's topics. */
  entry(fullName: string): CatalogEntry;
  /** Every event captured so far (needs `capture`), decoded, in arrival order. */
  events(): Promise<ReadEvent[]>;
  /** Waits until an event of `fullName` matching `accept` is captured. */
  waitForEvent(
    fullName: string,
    accept: (event: ReadEvent) => boolean,
    what: string,
  ): Promise<ReadEvent>;
  stop(): Promise<void>;
}

export interface WorldOptions extends OrderServiceOptions {
  capture?: boolean;
  /** Partitions of the events topic (default 3). */
  eventPartitions?: number;
}

export async function startOrderWorld(options: WorldOptions = {}): Promise<OrderWorld> {
  const db = await createTestDatabase('t_orders');
  const prefix = `${db.name}.`;
  const catalog = await testCatalog(db.name);
  await registerCatalog(createRegistryClient({ url: stackEndpoints().registryUrl }), catalog);
  const capture: TestCapture | undefined = options.capture
    ? await startTestCapture(db, 'orders.json')
    : undefined;

  const kafka = testKafka(db.name);
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, `${prefix}orders.events`, options.eventPartitions ?? 3);
  await createTopic(admin, `${prefix}orders.commands`);
  await admin.disconnect();
  const collector: Collector | undefined = capture
    ? await collectMessages(kafka, `${prefix}orders.events`, `${db.name}-events`)
    : undefined;

  const service = await startOrderService(
    {
      ...serviceConfigFrom({}, { name: 'order-service', database: 'orders', httpPort: 3000 }),
      databaseUrl: withDatabase(stackEndpoints().pgAppUrl, db.name),
      topicPrefix: prefix,
      httpPort: 0,
      logLevel: process.env.LOG_LEVEL ?? 'error',
    },
    options,
  );
  const records = await createRecordProducer(kafka);
  const decoded = new Map<KafkaMessage, ReadEvent>();

  const request = async (method: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${service.url}${path}`, { ...init, method });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the text is the body.
    }
    return { status: response.status, headers: response.headers, body };
  };

  const events = async (): Promise<ReadEvent[]> => {
    if (!collector) {
      throw new Error('This world captures no events; start it with capture: true');
    }
    const out: ReadEvent[] = [];
    for (const message of [...collector.received]) {
      let event = decoded.get(message);
      if (!event) {
        const value = await records.decode(message);
        event = {
          key: message.key?.toString() ?? '',
          headers: headerStrings(message),
          decoded: value,
          value: value.value as Record<string, unknown>,
        };
        decoded.set(message, event);
      }
      out.push(event);
    }
    return out;
  };

  return {
    db,
    service,
    catalog,
    records,
    request,
    placeOrder: (body, headers = {}) =>
      request('POST', '/orders', {
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    async countOrders() {
      const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      return rows[0]?.n ?? -1;
    },
    entry(fullName) {
      const found = catalog.find((candidate) => candidate.fullName === fullName);
      if (!found) {
        throw new Error(`${fullName} is not in the catalog`);
      }
      return found;
    },
    events,
    waitForEvent(fullName, accept, what) {
      return waitFor(
        async () =>
          (await events()).find((event) => event.decoded.fullName === fullName && accept(event)),
        { what, timeoutMs: 60_000 },
      );
    },
    async stop() {
      await service.stop();
      await records.stop();
      await collector?.stop();
      await capture?.stop();
      await db.drop();
    },
  };
}

/** A valid POST /orders body; `overrides` replace top-level fields. */
export function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d',
    items: [
      { sku: 'SKU-RED', quantity: 2, unitPrice: 1250 },
      { sku: 'SKU-BLUE', quantity: 1, unitPrice: 999 },
    ],
    currency: 'EUR',
    ...overrides,
  };
}
