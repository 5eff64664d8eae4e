import type { PoolClient } from '@eventline/db';
import { backoffDelay, delay } from '@eventline/observability';

import { classifyFailure, isDatabaseUnavailable, type Classification } from './classify';
import { ConsumerError } from './errors';
import type { ConsumedEvent, HandlerContext, HandlerRegistration } from './event';
import type { HandlerRegistry } from './handlers';
import type { ConsumerMetrics } from './metrics';
import type { ResolvedOptions } from './options';
import { isKeyParked, lockKey } from './parking';
import type { Control, MessageInput } from './processor';
import { childTraceparent } from './trace';

export interface HandlerRunDeps<Types> {
  options: ResolvedOptions<Types>;
  metrics: ConsumerMetrics;
  /** Parks the event behind its key inside the open transaction; returns what to do after commit. */
  parkBehind(
    client: PoolClient,
    event: ConsumedEvent,
    input: MessageInput,
  ): Promise<() => Promise<void>>;
}

export type HandlerRunResult =
  | { status: 'applied' }
  | { status: 'duplicate' }
  | { status: 'parked-behind' }
  | { status: 'abandoned' }
  | {
      status: 'failed';
      handler: string;
      classification: Classification;
      error: unknown;
      attempts: number;
    };

const insertInboxSql = `INSERT INTO consumer_inbox (handler, event_id, epoch, topic, partition, "offset")
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`;

/**
 * One handler on one event, in its own transaction with its inbox row,
 * retried in place on transient failures. `live` is false for a re-drive,
 * which runs on a key that is parked by definition.
 */
export async function runHandler<Types>(
  deps: HandlerRunDeps<Types>,
  handler: HandlerRegistration<Types>,
  event: ConsumedEvent,
  input: MessageInput,
  live: boolean,
  control: Control,
): Promise<HandlerRunResult> {
  const { options, metrics } = deps;
  const labels = { group: options.groupId, handler: handler.name };

  for (let attempt = 1; ; attempt++) {
    const client = await options.pool.connect();
    let connectionLost = false;
    let after: (() => Promise<void>) | undefined;
    try {
      const started = process.hrtime.bigint();
      await client.query('BEGIN');
      await lockKey(client, options.groupId, event.topic, event.key);

      if (live && (await isKeyParked(client, options.groupId, event.topic, event.key))) {
        after = await deps.parkBehind(client, event, input);
        await client.query('COMMIT');
        await after();
        return { status: 'parked-behind' };
      }

      if (!(await insertInbox(client, handler.name, event))) {
        await client.query('COMMIT');
        metrics.duplicates.inc(labels);
        return { status: 'duplicate' };
      }

      await handler.handle(contextFor(deps, client, event) as never);
      await client.query('COMMIT');
      metrics.latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      metrics.handled.inc(labels);
      options.onEffectCommitted?.(event);
      return { status: 'applied' };
    } catch (error) {
      // pg reports a dropped connection without a SQLSTATE; a rollback that
      // fails too says the connection, not the event, was the problem.
      connectionLost = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      const classification: Classification = connectionLost
        ? { kind: 'transient', errorClass: 'connection:lost' }
        : classifyFailure(error);
      metrics.failed.inc({ ...labels, kind: classification.kind });
      options.logger.debug(
        {
          ...eventFields(event),
          handler: handler.name,
          attempt,
          errorClass: classification.errorClass,
        },
        'Handler failed',
      );

      const triesLeft = attempt < options.retryAttempts;
      if (classification.kind === 'transient' && triesLeft && control.shouldContinue()) {
        metrics.retried.inc(labels);
        await delay(backoffDelay(attempt, options.retryBackoff));
        await control.heartbeat();
        continue;
      }
      if (classification.kind === 'transient' && !control.shouldContinue()) {
        return { status: 'abandoned' };
      }
      if (isDatabaseUnavailable(error, connectionLost)) {
        // The event is not at fault, its database is; and parking needs that
        // database too. An event parked just as the database came back would
        // wait for an operator for nothing, so the failure goes up: the
        // message is tried again, with backoff, while the partition is ours.
        throw new ConsumerError(
          'DATABASE_UNAVAILABLE',
          `The database stayed unavailable through ${attempt} attempts of handler ${handler.name}`,
          { cause: error },
        );
      }
      return { status: 'failed', handler: handler.name, classification, error, attempts: attempt };
    } finally {
      // A broken connection is destroyed rather than returned to the pool.
      client.release(connectionLost);
    }
  }
}

/**
 * Many events, all their handlers, one transaction. Returns false without
 * applying anything when a key in the chunk is parked: those events must go
 * the one-by-one way to be parked behind it. Throws (after rolling back) when
 * a handler fails.
 */
export async function applyChunk<Types>(
  deps: HandlerRunDeps<Types>,
  registry: HandlerRegistry<Types>,
  events: { input: MessageInput; event: ConsumedEvent }[],
): Promise<boolean> {
  const { options, metrics } = deps;
  const applied: { handler: string; event: ConsumedEvent }[] = [];
  const client = await options.pool.connect();
  const started = process.hrtime.bigint();

  try {
    await client.query('BEGIN');
    for (const { event } of events) {
      await lockKey(client, options.groupId, event.topic, event.key);
      if (await isKeyParked(client, options.groupId, event.topic, event.key)) {
        await client.query('ROLLBACK');
        return false;
      }
      for (const handler of registry.for(event.type, event.replaying)) {
        if (await insertInbox(client, handler.name, event)) {
          await handler.handle(contextFor(deps, client, event) as never);
          applied.push({ handler: handler.name, event });
        } else {
          metrics.duplicates.inc({ group: options.groupId, handler: handler.name });
        }
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9 / Math.max(applied.length, 1);
  for (const { handler, event } of applied) {
    const labels = { group: options.groupId, handler };
    metrics.handled.inc(labels);
    metrics.latency.observe(labels, seconds);
    options.onEffectCommitted?.(event);
  }
  return true;
}

async function insertInbox(
  client: PoolClient,
  handler: string,
  event: ConsumedEvent,
): Promise<boolean> {
  const { rowCount } = await client.query(insertInboxSql, [
    handler,
    event.id,
    event.epoch,
    event.topic,
    event.partition,
    event.offset,
  ]);
  return (rowCount ?? 0) > 0;
}

function contextFor<Types>(
  deps: HandlerRunDeps<Types>,
  tx: PoolClient,
  event: ConsumedEvent,
): HandlerContext<Types, unknown> {
  const { publisher, logger } = deps.options;
  const incoming = event.metadata;

  return {
    event,
    tx,
    logger: logger.child(eventFields(event)),
    publish(outgoing) {
      if (!publisher) {
        throw new ConsumerError(
          'CONFIG_INVALID',
          'A handler published, but the consumer was created without a publisher',
        );
      }
      return publisher.publish(tx, {
        ...outgoing,
        metadata: {
          correlationId: incoming.correlationId ?? event.id,
          causationId: event.id,
          traceparent: childTraceparent(incoming.traceparent),
          ...(incoming.tenant === undefined ? {} : { tenant: incoming.tenant }),
          ...(incoming.actor === undefined ? {} : { actor: incoming.actor }),
          ...outgoing.metadata,
        },
      });
    },
  };
}

export function eventFields(event: ConsumedEvent): Record<string, unknown> {
  return {
    topic: event.topic,
    partition: event.partition,
    offset: event.offset,
    eventId: event.id,
  };
}
