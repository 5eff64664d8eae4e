/**
 * How one message is handled. For each handler of its type, in order:
 *
 *   decode ──permanent──▶ park (UNDECODABLE)
 *     │ transient: retry with backoff
 *     ▼
 *   BEGIN; lock key ── key has a parked event ──▶ park behind it (BEHIND_PARKED_KEY); COMMIT
 *     │
 *   inbox row exists ──▶ COMMIT (duplicate, skipped)
 *     │
 *   handler(tx) ── ok ──▶ COMMIT (effects + inbox row together)
 *     │ throws
 *   ROLLBACK; classify ── transient, tries left ──▶ backoff, same handler again
 *     │ permanent, or tries spent
 *     ▼
 *   park (HANDLER_FAILED | RETRIES_EXHAUSTED), then a copy to <topic>.dlq
 *
 * The caller resolves the offset only when this returns 'done' or 'parked':
 * both leave the outcome durable in Postgres. When Postgres itself is down
 * (parking fails too), the whole message is tried again after a backoff for
 * as long as the partition is ours.
 */
import type { PoolClient } from '@eventline/db';
import type { PoolConfig } from 'pg';
import { backoffDelay, delay } from '@eventline/observability';
import { avroType } from '@eventline/schemas';
import type avro from 'avsc';
import type { KafkaMessage, Producer } from 'kafkajs';

import { classifyFailure, type Classification } from './classify';
import { sendDeadLetter } from './dead-letter';
import { eventIdOf, headersOf, metadataOf } from './envelope';
import type { ConsumedEvent, HandlerRegistration } from './event';
import type { HandlerRegistry } from './handlers';
import { applyChunk, runHandler, type HandlerRunDeps } from './handler-run';
import type { ConsumerMetrics } from './metrics';
import type { ResolvedOptions } from './options';
import { insertParked, lockKey, type ParkedRecord, type ParkReason } from './parking';
import type { ReplayScopes } from './replay-scope';

export type Outcome = 'done' | 'parked' | 'abandoned';

export interface MessageInput {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface Control {
  heartbeat(): Promise<void>;
  /** False once the consumer stops or the partition was taken away. */
  shouldContinue(): boolean;
}

type Decoded =
  | { ok: true; event: ConsumedEvent }
  | { ok: false; classification: Classification; error: unknown }
  | 'abandoned';

export interface Processor<Types> {
  process(input: MessageInput, control: Control): Promise<Outcome>;
  /** Several messages of one partition in one transaction; falls back to one by one. */
  processChunk(inputs: MessageInput[], control: Control): Promise<Outcome>;
  decode(input: MessageInput, control: Control): Promise<Decoded>;
  runHandlers(
    input: MessageInput,
    event: ConsumedEvent,
    live: boolean,
    control: Control,
  ): Promise<HandlersResult>;
  handlersFor(type: string, replaying: boolean): HandlerRegistration<Types>[];
}

export type HandlersResult =
  | { status: 'done' }
  | { status: 'abandoned' }
  | { status: 'parked-behind' }
  | {
      status: 'failed';
      handler: string;
      classification: Classification;
      error: unknown;
      attempts: number;
    };

export function createProcessor<Types>(
  options: ResolvedOptions<Types>,
  registry: HandlerRegistry<Types>,
  metrics: ConsumerMetrics,
  producer: Producer,
  scopes: ReplayScopes,
): Processor<Types> {
  const { pool, groupId, logger } = options;
  const readerTypes = new Map<string, avro.Type>(
    options.schemas.map((entry) => [entry.fullName, avroType(entry.schema)]),
  );
  const deps: HandlerRunDeps<Types> = { options, metrics, parkBehind };

  const handlersFor = (type: string, replaying: boolean) => registry.for(type, replaying);

  const databaseAddress = addressOf(options.pool.options);

  async function pause(attempt: number, control: Control): Promise<void> {
    await delay(backoffDelay(attempt, options.retryBackoff));
    await control.heartbeat();
  }

  async function decode(input: MessageInput, control: Control): Promise<Decoded> {
    const { message, topic, partition } = input;
    for (let attempt = 1; ; attempt++) {
      try {
        const decoded = await options.codec.decode(message.value ?? Buffer.alloc(0), readerTypes);
        const event: ConsumedEvent = {
          id: eventIdOf(message, topic, partition),
          type: decoded.fullName,
          key: message.key?.toString() ?? '',
          value: decoded.value,
          topic,
          partition,
          offset: message.offset,
          timestamp: Number(message.timestamp),
          metadata: metadataOf(message),
          ...scopeOf(topic, partition, message.offset),
        };
        return { ok: true, event };
      } catch (error) {
        const classification = classifyFailure(error);
        if (classification.kind === 'permanent') {
          return { ok: false, classification, error };
        }
        if (!control.shouldContinue()) {
          return 'abandoned';
        }
        logger.warn(
          {
            topic,
            partition,
            offset: message.offset,
            attempt,
            errorClass: classification.errorClass,
          },
          'Decoding failed for a reason that may heal; retrying',
        );
        await pause(attempt, control);
      }
    }
  }

  function parkRecord(
    input: MessageInput,
    reason: ParkReason,
    details: {
      event?: ConsumedEvent;
      handler?: string;
      classification?: Classification;
      error?: unknown;
      attempts?: number;
    },
  ): ParkedRecord {
    return {
      groupId,
      topic: input.topic,
      partition: input.partition,
      offset: input.message.offset,
      key: input.message.key?.toString() ?? '',
      eventId: details.event?.id ?? eventIdOf(input.message, input.topic, input.partition),
      eventType: details.event?.type,
      payload: input.message.value,
      headers: headersOf(input.message),
      reason,
      errorClass: details.classification?.errorClass,
      errorMessage: details.error instanceof Error ? details.error.message : undefined,
      handler: details.handler,
      attempts: details.attempts ?? 0,
    };
  }

  /** After the park committed: count it, log it, and copy it to the dead-letter topic. */
  async function afterPark(record: ParkedRecord, inserted: boolean): Promise<void> {
    metrics.parked.inc({ group: groupId, handler: record.handler ?? '', reason: record.reason });
    logger.warn(
      {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        eventId: record.eventId,
        key: record.key,
        reason: record.reason,
        errorClass: record.errorClass,
        handler: record.handler,
      },
      'Event parked',
    );
    if (!inserted) {
      return;
    }
    try {
      await sendDeadLetter(producer, record, new Date());
    } catch (error) {
      // The parked row is the durable record; the topic copy is for tools.
      logger.error(
        { topic: record.topic, offset: record.offset, error: String(error) },
        'Could not copy a parked event to its dead-letter topic',
      );
    }
  }

  async function park(record: ParkedRecord): Promise<void> {
    const client = await pool.connect();
    let inserted = false;
    try {
      await client.query('BEGIN');
      await lockKey(client, groupId, record.topic, record.key);
      inserted = await insertParked(client, record);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await afterPark(record, inserted);
  }

  /** Called by the handler run inside its transaction, under the key lock. */
  async function parkBehind(
    client: PoolClient,
    event: ConsumedEvent,
    input: MessageInput,
  ): Promise<() => Promise<void>> {
    const record = parkRecord(input, 'BEHIND_PARKED_KEY', { event });
    const inserted = await insertParked(client, record);
    return () => afterPark(record, inserted);
  }

  async function runHandlers(
    input: MessageInput,
    event: ConsumedEvent,
    live: boolean,
    control: Control,
  ): Promise<HandlersResult> {
    for (const handler of handlersFor(event.type, event.replaying)) {
      const result = await runHandler(deps, handler, event, input, live, control);
      if (result.status !== 'applied' && result.status !== 'duplicate') {
        return result;
      }
    }
    return { status: 'done' };
  }

  function scopeOf(topic: string, partition: number, offset: string) {
    const { epoch, replaying } = scopes.scopeOf(topic, partition, offset);
    return { epoch, replaying };
  }

  async function attempt(input: MessageInput, control: Control): Promise<Outcome> {
    if (scopes.scopeOf(input.topic, input.partition, input.message.offset).skip) {
      // Past the end of this replay group's window: not this group's to handle.
      return 'done';
    }
    const decoded = await decode(input, control);
    if (decoded === 'abandoned') {
      return 'abandoned';
    }
    if (!decoded.ok) {
      await park(parkRecord(input, 'UNDECODABLE', decoded));
      return 'parked';
    }

    const result = await runHandlers(input, decoded.event, true, control);
    switch (result.status) {
      case 'done':
        return 'done';
      case 'abandoned':
        return 'abandoned';
      case 'parked-behind':
        return 'parked';
      case 'failed': {
        const reason =
          result.classification.kind === 'transient' ? 'RETRIES_EXHAUSTED' : 'HANDLER_FAILED';
        await park(parkRecord(input, reason, { event: decoded.event, ...result }));
        return 'parked';
      }
    }
  }

  async function process(input: MessageInput, control: Control): Promise<Outcome> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(input, control);
      } catch (error) {
        // Postgres (or the lock, or the park) failed outside a handler: the
        // outcome is not durable, so the offset must not move. Try again.
        if (!control.shouldContinue()) {
          return 'abandoned';
        }
        logger.warn(
          {
            topic: input.topic,
            partition: input.partition,
            offset: input.message.offset,
            attempt: tries,
            errorClass: classifyFailure(error).errorClass,
            error: String(error),
            database: databaseAddress,
          },
          'Could not record the outcome of an event; retrying',
        );
        await pause(Math.min(tries, 8), control);
      }
    }
  }

  /**
   * Applies a chunk of one partition's events in one transaction, when every
   * event decodes and none of their keys is parked; on any failure rolls
   * back and handles the chunk one by one, so the outcome is the same as
   * without chunking, only with fewer commits.
   */
  async function processChunk(inputs: MessageInput[], control: Control): Promise<Outcome> {
    const prepared: { input: MessageInput; event: ConsumedEvent }[] = [];
    for (const input of inputs) {
      const decoded = await decode(input, control);
      if (decoded === 'abandoned') {
        return 'abandoned';
      }
      if (!decoded.ok) {
        return processOneByOne(inputs, control);
      }
      prepared.push({ input, event: decoded.event });
    }

    try {
      if (await applyChunk(deps, registry, prepared)) {
        return 'done';
      }
    } catch (error) {
      logger.debug({ error: String(error), size: inputs.length }, 'Chunk rolled back; one by one');
    }
    return processOneByOne(inputs, control);
  }

  async function processOneByOne(inputs: MessageInput[], control: Control): Promise<Outcome> {
    for (const input of inputs) {
      const outcome = await process(input, control);
      if (outcome === 'abandoned') {
        return 'abandoned';
      }
    }
    return 'done';
  }

  return { process, processChunk, decode, runHandlers, handlersFor };
}

/** Where the handlers' database is, for log lines: host, port and name, never the password. */
function addressOf(pool: PoolConfig): string {
  if (pool.connectionString) {
    const url = new URL(pool.connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  }
  return `${pool.host ?? 'localhost'}:${pool.port ?? 5432}/${pool.database ?? ''}`;
}
