import { quoteIdent, type Pool } from '@eventline/db';

export interface CaptureOptions {
  /** The database role Debezium logs in as (LOGIN REPLICATION, nothing else). */
  captureRole: string;
  /** The logical replication slot the connector reads, e.g. 'orders_outbox'. */
  slotName: string;
}

/**
 * Gives the capture role what it needs on one service database, and creates
 * the replication slot before any service writes. A slot made up front means
 * that outbox rows written before the connector first starts are still read
 * from the WAL; a connector that made its own slot would miss them.
 *
 * `adminPool` connects to the service database as a superuser (slot creation
 * needs REPLICATION; the grants need the tables' owner or a superuser).
 * Idempotent.
 */
export async function provisionCapture(adminPool: Pool, options: CaptureOptions): Promise<void> {
  const role = quoteIdent(options.captureRole);
  const database = await currentDatabase(adminPool);

  await adminPool.query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${role}`);
  await adminPool.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await adminPool.query(`GRANT SELECT ON outbox TO ${role}`);
  await adminPool.query(`GRANT SELECT, INSERT, UPDATE ON outbox_heartbeat TO ${role}`);

  await adminPool.query(
    `SELECT pg_create_logical_replication_slot($1, 'pgoutput')
     WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
    [options.slotName],
  );
}

/**
 * Drops a replication slot. Only for teardown on purpose (`make clean`, test
 * databases): an abandoned slot holds WAL forever, but a dropped one loses
 * every change not yet read.
 */
export async function dropCaptureSlot(adminPool: Pool, slotName: string): Promise<void> {
  await adminPool.query(
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
     WHERE slot_name = $1 AND NOT active`,
    [slotName],
  );
}

async function currentDatabase(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ name: string }>('SELECT current_database() AS name');
  return rows[0]?.name ?? '';
}
