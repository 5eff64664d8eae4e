import type { Pool } from '@eventline/db';
import { delay, type Logger } from '@eventline/observability';

import type { RedriveResult } from './redrive';

interface RequestRow {
  id: string;
  topic: string;
  message_key: string;
}

export interface RedriveRequestResult {
  id: string;
  done: boolean;
  redriven: number | null;
  stoppedReason: string | null;
}

/**
 * Serves operators' re-drive requests for a group: each running member polls
 * the table; one takes a request (SKIP LOCKED), re-drives the key with its
 * handlers and records the result. Returns a stop function.
 */
export function watchRedriveRequests(
  pool: Pool,
  groupId: string,
  redrive: (topic: string, key: string) => Promise<RedriveResult>,
  intervalMs: number,
  logger: Logger,
): () => Promise<void> {
  let running = true;

  async function serveOne(): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<RequestRow>(
        `SELECT id, topic, message_key FROM consumer_redrive_requests
         WHERE group_id = $1 AND done_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [groupId],
      );
      const request = rows[0];
      if (!request) {
        await client.query('COMMIT');
        return false;
      }
      const result = await redrive(request.topic, request.message_key);
      await client.query(
        `UPDATE consumer_redrive_requests
         SET done_at = now(), redriven = $2, stopped_reason = $3 WHERE id = $1`,
        [request.id, result.redriven, result.stoppedAt?.reason ?? null],
      );
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        while (running && (await serveOne())) {
          // Serve every open request before sleeping.
        }
      } catch (error) {
        logger.error({ groupId, error: String(error) }, 'Serving a re-drive request failed');
      }
      await delay(intervalMs);
    }
  })();

  return async () => {
    running = false;
    await loop;
  };
}

/** Files a re-drive request for a key; a running member of the group serves it. */
export async function requestRedrive(
  pool: Pool,
  groupId: string,
  topic: string,
  key: string,
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO consumer_redrive_requests (group_id, topic, message_key)
     VALUES ($1, $2, $3) RETURNING id`,
    [groupId, topic, key],
  );
  return rows[0]?.id ?? '';
}

export async function redriveRequestStatus(pool: Pool, id: string): Promise<RedriveRequestResult> {
  const { rows } = await pool.query<{
    done_at: Date | null;
    redriven: number | null;
    stopped_reason: string | null;
  }>('SELECT done_at, redriven, stopped_reason FROM consumer_redrive_requests WHERE id = $1', [id]);
  const row = rows[0];
  return {
    id,
    done: Boolean(row?.done_at),
    redriven: row?.redriven ?? null,
    stoppedReason: row?.stopped_reason ?? null,
  };
}
