import { createPool, quoteIdent, withDatabase, type Pool } from '@eventline/db';

import { stackEndpoints, uniqueName } from './stack';

export interface TestDatabase {
  name: string;
  /** Pool as the services' role, the owner of the database. */
  pool: Pool;
  /** Pool as the superuser, for grants and replication slots. */
  adminPool: Pool;
  /** Closes both pools and drops the database. */
  drop(): Promise<void>;
}

/** Creates a fresh database owned by the services' role, unique to one test file. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const endpoints = stackEndpoints();
  const name = uniqueName(prefix);
  const server = createPool({
    connectionString: withDatabase(endpoints.pgAdminUrl, 'postgres'),
    max: 1,
  });
  await server.query(`CREATE DATABASE ${quoteIdent(name)} OWNER eventline`);

  const pool = createPool({ connectionString: withDatabase(endpoints.pgAppUrl, name) });
  const adminPool = createPool({
    connectionString: withDatabase(endpoints.pgAdminUrl, name),
    max: 2,
  });

  return {
    name,
    pool,
    adminPool,
    async drop() {
      await pool.end();
      await adminPool.end();
      await server.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await server.end();
    },
  };
}
