import { createConnectClient, loadConnectorDefinitions } from '@eventline/connect';
import { createPool, migrate, withDatabase } from '@eventline/db';
import type { Logger } from '@eventline/observability';
import { outboxMigrations, provisionCapture } from '@eventline/outbox';

import { loadCatalog } from '@eventline/schemas';

import { withAdmin } from './clients';
import { schemasDir } from './commands/schemas';
import type { CliConfig } from './config';

/** Partitions of each system topic: the unit of parallelism per consumer group. */
const topicPartitions = 3;

/**
 * Prepares every service database named by a connector in connectors/: the
 * outbox migrations, the capture role's grants and the replication slot; then
 * creates or updates each connector and waits until it runs. Idempotent, so
 * `make up` runs it every time.
 */
export async function setup(config: CliConfig, logger: Logger): Promise<void> {
  await createSystemTopics(config, logger);
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

/**
 * The topics of the schema catalog (one folder each in schemas/), created
 * when missing: the broker does not auto-create topics, and the services
 * subscribe to them at start.
 */
async function createSystemTopics(config: CliConfig, logger: Logger): Promise<void> {
  const topics = [...new Set((await loadCatalog(schemasDir)).map((entry) => entry.topic))];
  await withAdmin(config, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: topicPartitions })),
        waitForLeaders: true,
      });
      logger.info({ topics: missing }, 'Topics created');
    }
  });
}
