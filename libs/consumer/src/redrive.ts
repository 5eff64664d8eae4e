import type { KafkaMessage } from 'kafkajs';

import type { Control, Processor } from './processor';
import {
  lockKey,
  oldestParked,
  recordRedriveFailure,
  resolveParked,
  type ParkedRow,
} from './parking';
import type { ResolvedOptions } from './options';

export interface RedriveResult {
  /** Parked events of the key that were handled, in order. */
  redriven: number;
  /** Set when an event failed again: the key stays parked from it on. */
  stoppedAt?: { offset: string; partition: number; reason: string };
}

/** How long a re-drive keeps retrying transient failures of one event before it gives up. */
const transientDeadlineMs = 60_000;

function deadlineControl(): Control {
  const deadline = Date.now() + transientDeadlineMs;
  return { heartbeat: async () => undefined, shouldContinue: () => Date.now() < deadline };
}

/**
 * Handles a key's parked events oldest first with the consumer's handlers,
 * and so releases the key: once none is left parked, new events of the key
 * flow again. Handlers that already applied an event (their inbox row
 * exists) are not run twice. Events parked while this runs are handled in
 * the same loop, after the ones before them.
 */
export async function redriveKey<Types>(
  options: ResolvedOptions<Types>,
  processor: Processor<Types>,
  topic: string,
  key: string,
): Promise<RedriveResult> {
  let redriven = 0;

  for (;;) {
    const row = await nextParked(options, topic, key);
    if (!row) {
      options.logger.info({ topic, key, redriven }, 'Key released after re-drive');
      return { redriven };
    }

    const input = { topic: row.topic, partition: row.partition, message: messageOf(row) };
    const control = deadlineControl();
    const decoded = await processor.decode(input, control);
    const result =
      decoded === 'abandoned'
        ? ({ status: 'abandoned' } as const)
        : decoded.ok
          ? await processor.runHandlers(input, decoded.event, false, control)
          : ({ status: 'failed', ...decoded } as const);

    if (result.status === 'abandoned' || result.status === 'parked-behind') {
      const reason = 'transient failures did not clear within the re-drive deadline';
      return { redriven, stoppedAt: { offset: row.offset, partition: row.partition, reason } };
    }
    if (result.status === 'failed') {
      const { errorClass } = result.classification;
      const message = result.error instanceof Error ? result.error.message : String(result.error);
      await recordRedriveFailure(options.pool, row.id, errorClass, message);
      options.logger.warn(
        { topic, key, offset: row.offset, errorClass },
        'Re-drive stopped: the event failed again',
      );
      return {
        redriven,
        stoppedAt: { offset: row.offset, partition: row.partition, reason: message },
      };
    }

    await resolveParked(options.pool, row.id, 'redriven', 're-driven');
    redriven++;
  }
}

async function nextParked<Types>(
  options: ResolvedOptions<Types>,
  topic: string,
  key: string,
): Promise<ParkedRow | undefined> {
  const client = await options.pool.connect();
  try {
    await client.query('BEGIN');
    await lockKey(client, options.groupId, topic, key);
    const row = await oldestParked(client, options.groupId, topic, key);
    await client.query('COMMIT');
    return row;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The Kafka message a parked row was made from. */
function messageOf(row: ParkedRow): KafkaMessage {
  return {
    key: Buffer.from(row.message_key),
    value: row.payload,
    headers: Object.fromEntries(Object.entries(row.headers).map(([k, v]) => [k, Buffer.from(v)])),
    offset: String(row.offset),
    timestamp: String(row.first_failure_at.getTime()),
    attributes: 0,
    size: 0,
  } as KafkaMessage;
}
