// A consumer process for the crash and shutdown tests: it handles the
// fixture's topic with the fixture's handler, in the database named by
// EVENTLINE_TEST_DB. With CRASH_AFTER=n it kills itself with SIGKILL right
// after the n-th handler transaction commits, before that offset can be
// committed. SIGTERM and SIGINT stop it gracefully.
import { createPool, withDatabase } from '@eventline/db';
import { silentLogger } from '@eventline/observability';
import { createCodec, createRegistryClient, type EventTypes } from '@eventline/schemas';
import { stackEndpoints, testCatalog, testKafka } from '@eventline/testkit';
import { Registry } from 'prom-client';

import { createEventConsumer, stopOnSignals } from '../src/index';
import { fullName, recordEffect } from './fixture';

const database = process.env.EVENTLINE_TEST_DB ?? '';
const groupId = process.env.EVENTLINE_TEST_GROUP ?? '';
const crashAfter = Number(process.env.CRASH_AFTER ?? '0');

const endpoints = stackEndpoints();
const pool = createPool({ connectionString: withDatabase(endpoints.pgAppUrl, database) });
const registry = createRegistryClient({ url: endpoints.registryUrl });
const catalog = await testCatalog(database);
const topic = catalog.find((entry) => entry.fullName === fullName)?.topic ?? '';
let committed = 0;

const consumer = createEventConsumer<EventTypes>({
  kafka: testKafka('crash-worker'),
  groupId,
  topics: [topic],
  pool,
  codec: createCodec(registry),
  schemas: catalog,
  metricsRegistry: new Registry(),
  sessionTimeoutMs: 6_000,
  onEffectCommitted: () => {
    committed++;
    if (crashAfter > 0 && committed >= crashAfter) {
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
consumer.on(fullName, 'record-effect', recordEffect);

stopOnSignals([consumer, { stop: () => pool.end() }], silentLogger);
await consumer.start();
process.stdout.write('started\n');
