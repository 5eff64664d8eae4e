import type { Pool, PoolClient } from '@eventline/db';

/** Why an event was parked; stored with it and sent as the dead letter's reason. */
export type ParkReason =
  /** The payload is not a Confluent frame, names an unknown schema, or does not decode. */
  | 'UNDECODABLE'
  /** A handler failed with a permanent error. */
  | 'HANDLER_FAILED'
  /** A handler kept failing with transient errors past the retry bound. */
  | 'RETRIES_EXHAUSTED'
  /** An earlier event of the same key is parked; this one waits behind it. */
  | 'BEHIND_PARKED_KEY';

export interface ParkedRecord {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
  eventId: string | undefined;
  eventType: string | undefined;
  payload: Buffer | null;
  headers: Record<string, string>;
  reason: ParkReason;
  errorClass: string | undefined;
  errorMessage: string | undefined;
  handler: string | undefined;
  attempts: number;
}

export interface ParkedRow {
  id: string;
  group_id: string;
  topic: string;
  partition: number;
  offset: string;
  message_key: string;
  event_id: string | null;
  event_type: string | null;
  payload: Buffer | null;
  headers: Record<string, string>;
  reason: ParkReason;
  error_class: string | null;
  error_message: string | null;
  handler: string | null;
  attempts: number;
  first_failure_at: Date;
  state: 'parked' | 'redriven' | 'discarded';
}

/**
 * Serializes the live path and re-drive on one key (per group and topic) for
 * the rest of the transaction, so that a key cannot be released by a
 * re-drive while a new event of it is being parked behind it.
 */
export async function lockKey(
  client: PoolClient,
  groupId: string,
  topic: string,
  key: string,
): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    JSON.stringify([groupId, topic, key]),
  ]);
}

export async function isKeyParked(
  client: PoolClient,
  groupId: string,
  topic: string,
  key: string,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM consumer_parked
     WHERE group_id = $1 AND topic = $2 AND message_key = $3 AND state = 'parked' LIMIT 1`,
    [groupId, topic, key],
  );
  return (rowCount ?? 0) > 0;
}

/** Stores a parked event; returns false when that offset was parked before (a redelivery). */
export async function insertParked(client: PoolClient, record: ParkedRecord): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO consumer_parked (group_id, topic, partition, "offset", message_key, event_id,
       event_type, payload, headers, reason, error_class, error_message, handler, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (group_id, topic, partition, "offset") DO NOTHING`,
    [
      record.groupId,
      record.topic,
      record.partition,
      record.offset,
      record.key,
      record.eventId ?? null,
      record.eventType ?? null,
      record.payload,
      JSON.stringify(record.headers),
      record.reason,
      record.errorClass ?? null,
      record.errorMessage ?? null,
      record.handler ?? null,
      record.attempts,
    ],
  );
  return (rowCount ?? 0) > 0;
}

/** The key's oldest parked event, locked for this transaction. */
export async function oldestParked(
  client: PoolClient,
  groupId: string,
  topic: string,
  key: string,
): Promise<ParkedRow | undefined> {
  const { rows } = await client.query<ParkedRow>(
    `SELECT * FROM consumer_parked
     WHERE group_id = $1 AND topic = $2 AND message_key = $3 AND state = 'parked'
     ORDER BY partition, "offset" LIMIT 1 FOR UPDATE`,
    [groupId, topic, key],
  );
  return rows[0];
}

export async function resolveParked(
  client: PoolClient | Pool,
  id: string,
  state: 'redriven' | 'discarded',
  resolution: string,
): Promise<void> {
  await client.query(
    `UPDATE consumer_parked SET state = $2, resolution = $3, resolved_at = now()
     WHERE id = $1 AND state = 'parked'`,
    [id, state, resolution],
  );
}

export async function recordRedriveFailure(
  pool: Pool,
  id: string,
  errorClass: string,
  errorMessage: string,
): Promise<void> {
  await pool.query(
    `UPDATE consumer_parked
     SET attempts = attempts + 1, error_class = $2, error_message = $3
     WHERE id = $1`,
    [id, errorClass, errorMessage],
  );
}

export interface ParkedFilter {
  groupId: string;
  topic?: string;
  key?: string;
  reason?: ParkReason;
  state?: ParkedRow['state'];
}

/** Parked events of a group, oldest first, for operators. */
export async function listParked(pool: Pool, filter: ParkedFilter): Promise<ParkedRow[]> {
  const { rows } = await pool.query<ParkedRow>(
    `SELECT * FROM consumer_parked
     WHERE group_id = $1
       AND ($2::text IS NULL OR topic = $2)
       AND ($3::text IS NULL OR message_key = $3)
       AND ($4::text IS NULL OR reason = $4)
       AND state = coalesce($5, 'parked')
     ORDER BY topic, partition, "offset"`,
    [
      filter.groupId,
      filter.topic ?? null,
      filter.key ?? null,
      filter.reason ?? null,
      filter.state ?? null,
    ],
  );
  return rows;
}
