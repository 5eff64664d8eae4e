import { createConnectClient, loadConnectorDefinitions } from '@eventline/connect';
import { createPool, migrate, withDatabase } from '@eventline/db';
import type { Logger } from '@eventline/observability';
import { outboxMigrations, provisionCapture } from '@eventline/outbox';

import type { CliConfig } from './config';

/**
 * Prepares every service database named by a connector in connectors/: the
 * outbox migrations, the capture role's grants and the replication slot; then
 * creates or updates each connector and waits until it runs. Idempotent, so
 * `make up` runs it every time.
 */
export async function setup(config: CliConfig, logger: Logger): Promise<void> {
  const connectors = await loadConnectorDefinitions(config.connectorsDir);
  const connect = createConnectClient({ url: config.connectUrl, logger });

  for (const connector of connectors) {
    const database = connector.config['database.dbname'];
    const slotName = connector.config['slot.name'];
    const captureRole = connector.config['database.user'];
    if (!database || !slotName || !captureRole) {
      throw new Error(
        `${connector.file} must set database.dbname, slot.name and database.user (directly or in its base)`,
      );
    }

    const appPool = createPool({
      connectionString: withDatabase(config.pgAppUrl, database),
      max: 1,
    });
    const adminPool = createPool({
      connectionString: withDatabase(config.pgAdminUrl, database),
      max: 1,
    });
    try {
      const applied = await migrate(appPool, [outboxMigrations]);
      logger.info({ database, applied }, 'Outbox migrations are up to date');
      await provisionCapture(adminPool, { captureRole, slotName });
    } finally {
      await appPool.end();
      await adminPool.end();
    }

    await connect.apply(connector.name, connector.config);
    await connect.waitUntilRunning(connector.name);
    logger.info({ connector: connector.name, database }, 'Connector is running');
  }
}
