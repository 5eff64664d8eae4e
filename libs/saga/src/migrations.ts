import { fileURLToPath } from 'node:url';

import type { MigrationSet } from '@eventline/db';

/** The saga instances and their transitions, in the orchestrator's database. */
export const sagaMigrations: MigrationSet = {
  name: 'saga',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};
