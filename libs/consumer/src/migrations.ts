import { fileURLToPath } from 'node:url';

import type { MigrationSet } from '@eventline/db';

/** The inbox and the parked-events tables, in the handlers' own database. */
export const consumerMigrations: MigrationSet = {
  name: 'consumer',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};
