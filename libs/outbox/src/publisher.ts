import { randomUUID } from 'node:crypto';

import type { Transaction } from '@eventline/db';
import { silentLogger, type Logger } from '@eventline/observability';
import {
  assertValid,
  avroType,
  SchemaError,
  type CatalogEntry,
  type Codec,
  type RegistryClient,
} from '@eventline/schemas';
import type avro from 'avsc';

import { OutboxError } from './errors';
import type { OutboxEvent } from './event';

export interface OutboxPublisherOptions {
  registry: RegistryClient;
  codec: Codec;
  /** The records this service publishes, from the schema catalog. */
  schemas: CatalogEntry[];
  logger?: Logger;
}

export interface OutboxPublisher<Types> {
  /**
   * Looks up the registry id of every schema this service publishes. Fails,
   * naming each subject, when one is not registered: schemas are registered
   * by the deploy step (`make schemas-register`), never on first publish.
   */
  start(): Promise<void>;
  /** Validates, encodes and writes one event inside the caller's transaction. Returns its id. */
  publish<N extends keyof Types & string>(
    tx: Transaction,
    event: OutboxEvent<Types, N>,
  ): Promise<string>;
  /** The same for many events, in order, with one round trip per statement. Returns their ids. */
  publishAll(tx: Transaction, events: OutboxEvent<Types>[]): Promise<string[]>;
}

interface Target {
  entry: CatalogEntry;
  type: avro.Type;
  schemaId?: number;
}

// Rows are inserted and deleted in the same transaction. Debezium reads the
// insert from the WAL, which keeps it whatever happens to the row, and the
// Event Router ignores deletes; so the table never holds more than the rows
// of transactions in flight, needs no cleanup job, and no cleanup ever locks
// against writers. Dead tuples are left to autovacuum.
const insertSql = `INSERT INTO outbox
  (id, aggregatetype, aggregateid, type, payload, correlation_id, causation_id, traceparent,
   tenant, actor)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::uuid[],
    $7::uuid[], $8::text[], $9::text[], $10::text[])`;
const deleteSql = 'DELETE FROM outbox WHERE id = ANY($1::uuid[])';

export function createOutboxPublisher<Types>(
  options: OutboxPublisherOptions,
): OutboxPublisher<Types> {
  const logger = options.logger ?? silentLogger;
  const targets = new Map<string, Target[]>();
  let started = false;

  for (const entry of options.schemas) {
    const list = targets.get(entry.fullName) ?? [];
    list.push({ entry, type: avroType(entry.schema) });
    targets.set(entry.fullName, list);
  }

  function targetOf(event: OutboxEvent<Types>): Target {
    const candidates = targets.get(event.type) ?? [];
    const matching = event.topic
      ? candidates.filter((t) => t.entry.topic === event.topic)
      : candidates;
    if (matching.length === 0) {
      throw new OutboxError(
        'UNKNOWN_EVENT_TYPE',
        `No schema for ${event.type}${event.topic ? ` on ${event.topic}` : ''} in this publisher`,
      );
    }
    if (matching.length > 1) {
      throw new OutboxError(
        'TOPIC_AMBIGUOUS',
        `${event.type} is on ${matching.map((t) => t.entry.topic).join(', ')}; say which topic`,
      );
    }
    return matching[0] as Target;
  }

  async function publishAll(tx: Transaction, events: OutboxEvent<Types>[]): Promise<string[]> {
    if (!started) {
      throw new OutboxError('NOT_STARTED', 'Call start() before publishing');
    }
    if (events.length === 0) {
      return [];
    }

    const columns: (string | Buffer | null)[][] = Array.from({ length: 10 }, () => []);
    for (const event of events) {
      const target = targetOf(event);
      assertValid(target.type, event.value);
      const payload = options.codec.encode(target.schemaId as number, target.type, event.value);
      const meta = event.metadata ?? {};
      const row = [
        event.id ?? randomUUID(),
        target.entry.topic,
        event.key,
        event.type,
        payload,
        meta.correlationId ?? null,
        meta.causationId ?? null,
        meta.traceparent ?? null,
        meta.tenant ?? null,
        meta.actor ?? null,
      ];
      row.forEach((value, i) => columns[i]?.push(value));
    }

    await tx.query(insertSql, columns);
    await tx.query(deleteSql, [columns[0]]);
    logger.debug({ count: events.length }, 'Events written to the outbox');
    return columns[0] as string[];
  }

  return {
    async start() {
      const missing: string[] = [];
      for (const list of targets.values()) {
        for (const target of list) {
          const found = await options.registry.lookup(target.entry.subject, target.entry.schema);
          if (found) {
            target.schemaId = found.id;
          } else {
            missing.push(target.entry.subject);
          }
        }
      }
      if (missing.length > 0) {
        throw new SchemaError(
          'NOT_REGISTERED',
          `These schemas are not registered (run make schemas-register): ${missing.join(', ')}`,
        );
      }
      started = true;
      logger.info({ subjects: options.schemas.length }, 'Outbox publisher started');
    },

    async publish(tx, event) {
      const [id] = await publishAll(tx, [event as OutboxEvent<Types>]);
      return id as string;
    },

    publishAll,
  };
}
