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
 * Creates a pg pool. An idle client's error (a server restart, say) is
 * reported to `onIdleError` instead of crashing the process: the pool drops
 * that client and opens another on next use.
 */
export function createPool(options: PoolOptions, onIdleError?: (error: Error) => void): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? defaults.max,
    application_name: options.applicationName ?? defaults.applicationName,
  });
  pool.on('error', (error) => onIdleError?.(error));
  return pool;
}
