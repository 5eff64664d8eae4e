import type { Pool, PoolClient } from './pool';

/** A client inside an open transaction; work done through it commits or rolls back together. */
export type Transaction = PoolClient;

/**
 * Runs `work` in one transaction: commits when it resolves, rolls back when it
 * throws (and rethrows the original error).
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A client whose rollback failed is in an unknown state: destroy it
    // rather than hand it to the next caller.
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
