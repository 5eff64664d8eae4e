import { fileURLToPath } from 'node:url';

import {
  createConnectClient,
  loadConnectorDefinitions,
  type ConnectorConfig,
} from '@eventline/connect';
import { migrate } from '@eventline/db';
import { dropCaptureSlot, outboxMigrations, provisionCapture } from '@eventline/outbox';

import type { TestDatabase } from './database';
import { stackEndpoints } from './stack';
import { waitFor } from './wait';

export const connectorsDir = fileURLToPath(new URL('../../../connectors', import.meta.url));

export interface TestCapture {
  connectorName: string;
  slotName: string;
  /** Removes the connector, then drops its slot once the connector let go of it. */
  stop(): Promise<void>;
}

/**
 * Captures a test database's outbox with a connector made from a real file in
 * connectors/ (the same settings the services use), under a name, slot and
 * topic prefix of the test's own, with `overrides` on top (a tuning run's
 * settings). Returns once the connector runs.
 */
export async function startTestCapture(
  db: TestDatabase,
  connectorFile = 'orders.json',
  overrides: ConnectorConfig = {},
): Promise<TestCapture> {
  const endpoints = stackEndpoints();
  const definition = (await loadConnectorDefinitions(connectorsDir)).find(
    (candidate) => candidate.file === connectorFile,
  );
  if (!definition) {
    throw new Error(`connectors/${connectorFile} does not declare a connector`);
  }

  const connectorName = db.name.replaceAll('_', '-');
  const slotName = db.name;
  const config: ConnectorConfig = {
    ...definition.config,
    'database.dbname': db.name,
    'slot.name': slotName,
    'topic.prefix': `cdc.${db.name}`,
    ...overrides,
  };

  await migrate(db.pool, [outboxMigrations]);
  await provisionCapture(db.adminPool, {
    captureRole: config['database.user'] ?? 'debezium',
    slotName,
  });
  const connect = createConnectClient({ url: endpoints.connectUrl });
  const stop = async () => {
    await connect.remove(connectorName);
    await waitFor(
      async () => {
        const { rows } = await db.adminPool.query<{ active: boolean }>(
          'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
          [slotName],
        );
        return rows[0]?.active !== true;
      },
      { what: `slot ${slotName} to be released`, timeoutMs: 30_000 },
    );
    await dropCaptureSlot(db.adminPool, slotName);
  };

  await connect.apply(connectorName, config);
  try {
    await connect.waitUntilRunning(connectorName, 90_000);
  } catch (error) {
    // The caller gets no handle to stop it with: a connector left behind
    // would hold its slot, and WAL, for good.
    await stop().catch(() => undefined);
    throw error;
  }

  return { connectorName, slotName, stop };
}
