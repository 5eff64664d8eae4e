// The connector a benchmark measures: startTestCapture's (connectors/
// orders.json, the settings the services run with), or for a tuning run the
// same with some settings overridden from the command line, so that a setting
// can be measured without editing connectors/ under the other users of the
// stack. `producer.override.*` reaches the Connect worker's producer for this
// connector alone (the worker's client override policy allows it since
// Kafka 3.0).
import {
  createConnectClient,
  loadConnectorDefinitions,
  type ConnectorConfig,
} from '@eventline/connect';
import { migrate } from '@eventline/db';
import { dropCaptureSlot, outboxMigrations, provisionCapture } from '@eventline/outbox';
import {
  connectorsDir,
  stackEndpoints,
  startTestCapture,
  waitFor,
  type TestCapture,
  type TestDatabase,
} from '@eventline/testkit';

const connectorFile = 'orders.json';

/** Parses `key=value,key=value` (values may not hold commas). */
export function parseOverrides(text: string | undefined): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) {
      throw new Error(`--connector takes key=value pairs, got ${pair}`);
    }
    overrides[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return overrides;
}

/** Starts capturing `db`'s outbox; returns once the connector runs. */
export async function startCapture(
  db: TestDatabase,
  overrides: Record<string, string>,
): Promise<TestCapture> {
  if (Object.keys(overrides).length === 0) {
    return startTestCapture(db, connectorFile);
  }

  // As startTestCapture names and provisions it, with the overrides on top.
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
  const connect = createConnectClient({ url: stackEndpoints().connectUrl });
  await connect.apply(connectorName, config);
  await connect.waitUntilRunning(connectorName, 90_000);

  return {
    connectorName,
    slotName,
    async stop() {
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
    },
  };
}
