import { fileURLToPath } from 'node:url';

import type { MigrationSet } from '@eventline/db';

/** The outbox table, the heartbeat table and the publication Debezium reads. */
export const outboxMigrations: MigrationSet = {
  name: 'outbox',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};
