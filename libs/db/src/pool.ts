import pg from 'pg';

export interface PoolOptions {
  /** A postgres:// connection string. */
  connectionString: string;
  /** Most connections the pool opens (default 10). */
  max?: number;
  /** Name shown in pg_stat_activity, to tell services apart. */
  applicationName?: string;
}

const defaults = { max: 10, applicationName: 'eventline' };

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * Creates a pg pool. A client's connection error (a server restart, a
 * dropped network) is reported to `onConnectionError` instead of crashing
 * the process, whether the client is idle in the pool or checked out: the
 * query in flight fails on its own, and the pool replaces the client.
 */
export function createPool(options: PoolOptions, onConnectionError?: (error: Error) => void): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? defaults.max,
    application_name: options.applicationName ?? defaults.applicationName,
  });
  const report = (error: Error) => onConnectionError?.(error);
  // pg emits 'error' on a checked-out client whose socket dies; with no
  // listener that is an uncaught exception. The pool covers idle clients.
  pool.on('connect', (client) => client.on('error', report));
  pool.on('error', report);
  return pool;
}
