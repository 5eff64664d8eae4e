import {
  createTopic,
  createTestDatabase,
  stackEndpoints,
  startTestCapture,
  testCatalog,
  testKafka,
  uniqueName,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';
import { withDatabase } from '@eventline/db';
import { createRegistryClient, registerCatalog } from '@eventline/schemas';
import { serviceConfigFrom, type ServiceConfig, type ServiceRuntime } from '@eventline/service';

import { startInventoryService } from '../../inventory-service/src/app';
import { startNotificationService } from '../../notification-service/src/app';
import { startOrderService } from '../../order-service/src/app';
import { startPaymentService } from '../../payment-service/src/app';
import { defaultOrderSagaOptions, startOrderSaga, type OrderSagaOptions } from '../src/app';

/**
 * The whole order system for one test file: five databases of its own, the
 * four outbox captures (from the real connector files), topics and schema
 * subjects under a prefix of its own, and the five services running in this
 * process. Services can be stopped and started again to play outages.
 */
export interface OrderSystem {
  apiUrl: string;
  sagaUrl: string;
  databases: Record<ServiceName, TestDatabase>;
  /** The environment that runs a service of this system as a process (its main.ts). */
  processEnv(name: ServiceName): Record<string, string>;
  start(name: ServiceName): Promise<void>;
  stop(name: ServiceName): Promise<void>;
  close(): Promise<void>;
}

export type ServiceName = 'orders' | 'saga' | 'inventory' | 'payments' | 'notifications';

const topics = [
  'orders.events',
  'orders.commands',
  'inventory.commands',
  'inventory.events',
  'payments.commands',
  'payments.events',
];

const connectorFiles: Partial<Record<ServiceName, string>> = {
  orders: 'orders.json',
  saga: 'order-saga.json',
  inventory: 'inventory.json',
  payments: 'payments.json',
};

export interface OrderSystemOptions {
  saga?: Partial<OrderSagaOptions>;
  /** Services not to start in this process (a test runs them as child processes). */
  external?: ServiceName[];
}

export async function startOrderSystem(options: OrderSystemOptions = {}): Promise<OrderSystem> {
  const sagaOptions = options.saga ?? {};
  const base = uniqueName('t_sys');
  const topicPrefix = `${base}.`;
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  await registerCatalog(registry, await testCatalog(base));

  const kafka = testKafka(`${base}-system`);
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of topics) {
    await createTopic(admin, `${topicPrefix}${topic}`, 3);
  }
  await admin.disconnect();

  const names: ServiceName[] = ['orders', 'saga', 'inventory', 'payments', 'notifications'];
  const databases = {} as Record<ServiceName, TestDatabase>;
  for (const name of names) {
    databases[name] = await createTestDatabase(`${base}_${name}`);
  }
  const captures: TestCapture[] = [];
  for (const name of names) {
    const file = connectorFiles[name];
    if (file) {
      captures.push(await startTestCapture(databases[name], file));
    }
  }

  const configOf = (name: string, database: string, httpPort = 0): ServiceConfig => ({
    ...serviceConfigFrom({}, { name, database, httpPort }),
    databaseUrl: withDatabase(stackEndpoints().pgAppUrl, database),
    topicPrefix,
    logLevel: 'warn',
  });
  const running = new Map<ServiceName, ServiceRuntime>();
  let sagaUrl = '';
  let apiUrl = '';

  async function start(name: ServiceName): Promise<void> {
    const db = databases[name].name;
    switch (name) {
      case 'inventory':
        running.set(name, await startInventoryService(configOf('inventory-service', db)));
        break;
      case 'payments':
        running.set(name, await startPaymentService(configOf('payment-service', db)));
        break;
      case 'notifications':
        running.set(name, await startNotificationService(configOf('notification-service', db)));
        break;
      case 'saga': {
        const saga = await startOrderSaga(configOf('order-saga', db), {
          ...defaultOrderSagaOptions,
          stepDeadlineMs: 4_000,
          deadlineIntervalMs: 250,
          ...sagaOptions,
        });
        running.set(name, saga.runtime);
        sagaUrl = saga.url;
        break;
      }
      case 'orders': {
        const orders = await startOrderService(configOf('order-service', db), {
          sagaStatusUrl: sagaUrl,
        });
        running.set(name, orders);
        apiUrl = orders.url;
        break;
      }
    }
  }

  async function stop(name: ServiceName): Promise<void> {
    await running.get(name)?.stop();
    running.delete(name);
  }

  for (const name of ['inventory', 'payments', 'notifications', 'saga', 'orders'] as const) {
    if (!options.external?.includes(name)) {
      await start(name);
    }
  }

  return {
    get apiUrl() {
      return apiUrl;
    },
    get sagaUrl() {
      return sagaUrl;
    },
    databases,
    processEnv(name) {
      return {
        DATABASE_URL: withDatabase(stackEndpoints().pgAppUrl, databases[name].name),
        TOPIC_PREFIX: topicPrefix,
        PORT: '0',
        LOG_LEVEL: 'warn',
      };
    },
    start,
    stop,
    async close() {
      for (const name of [...running.keys()]) {
        await stop(name);
      }
      for (const capture of captures) {
        await capture.stop();
      }
      for (const db of Object.values(databases)) {
        await db.drop();
      }
    },
  };
}
