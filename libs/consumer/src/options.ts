import type { Pool } from '@eventline/db';
import {
  defaultBackoff,
  silentLogger,
  type BackoffOptions,
  type Logger,
} from '@eventline/observability';
import type { OutboxPublisher } from '@eventline/outbox';
import type { CatalogEntry, Codec } from '@eventline/schemas';
import type { Kafka } from 'kafkajs';
import { register as defaultRegistry, type Registry } from 'prom-client';

import { ConsumerError } from './errors';
import type { ConsumedEvent } from './event';

export interface EventConsumerOptions<Types> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** The handlers' database: effects, inbox and parked events live here. */
  pool: Pool;
  codec: Codec;
  /** Reader schemas from the catalog: values are resolved to these shapes. */
  schemas?: CatalogEntry[];
  /** Lets handlers publish through the outbox in their transaction. */
  publisher?: OutboxPublisher<Types>;
  /** Partitions handled at once; within one partition, strictly one event after another. */
  partitionsConsumedConcurrently?: number;
  /** Tries of a handler on transient failures, the first included, before parking. */
  retryAttempts?: number;
  retryBackoff?: BackoffOptions;
  /** Inbox epoch; a replay meant to re-run handlers uses a new one. */
  epoch?: number;
  /** True for a replay: handlers registered as not replayable are passed over. */
  replay?: boolean;
  /**
   * Events of one partition applied per transaction (default 1). Above 1,
   * a failure in the chunk rolls it back and its events are handled one by
   * one, so the guarantees stay those of the default.
   */
  inboxBatchSize?: number;
  /**
   * How long the broker waits for a silent member before giving its
   * partitions to others (default 30 s): the pause after a crash.
   */
  sessionTimeoutMs?: number;
  /** Where a group without committed offsets starts (default: the beginning). */
  fromBeginning?: boolean;
  /** How often members look for operators' re-drive requests (default 1 s). */
  redriveRequestPollMs?: number;
  metricsRegistry?: Registry;
  logger?: Logger;
  /** Called after a handler's transaction committed, before its offset is; for fault injection. */
  onEffectCommitted?: (event: ConsumedEvent) => void;
}

export type ResolvedOptions<Types> = Required<
  Omit<EventConsumerOptions<Types>, 'publisher' | 'onEffectCommitted' | 'schemas'>
> &
  Pick<EventConsumerOptions<Types>, 'publisher' | 'onEffectCommitted'> & {
    schemas: CatalogEntry[];
  };

/** Applies the defaults in one place and rejects options that cannot work, naming them. */
export function resolveOptions<Types>(
  options: EventConsumerOptions<Types>,
): ResolvedOptions<Types> {
  const resolved: ResolvedOptions<Types> = {
    ...options,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
    retryAttempts: options.retryAttempts ?? 5,
    retryBackoff: options.retryBackoff ?? { ...defaultBackoff, initialMs: 100, maxMs: 5_000 },
    epoch: options.epoch ?? 0,
    replay: options.replay ?? false,
    inboxBatchSize: options.inboxBatchSize ?? 1,
    fromBeginning: options.fromBeginning ?? true,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    metricsRegistry: options.metricsRegistry ?? defaultRegistry,
    redriveRequestPollMs: options.redriveRequestPollMs ?? 1_000,
    logger: options.logger ?? silentLogger,
    schemas: options.schemas ?? [],
  };

  const positive: (keyof ResolvedOptions<Types>)[] = [
    'partitionsConsumedConcurrently',
    'retryAttempts',
    'inboxBatchSize',
  ];
  for (const name of positive) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new ConsumerError('CONFIG_INVALID', `Option ${name} must be an integer >= 1`);
    }
  }
  if (!Number.isInteger(resolved.epoch) || resolved.epoch < 0) {
    throw new ConsumerError('CONFIG_INVALID', 'Option epoch must be an integer >= 0');
  }
  if (resolved.groupId.trim() === '') {
    throw new ConsumerError('CONFIG_INVALID', 'Option groupId must not be empty');
  }
  if (resolved.topics.length === 0) {
    throw new ConsumerError('CONFIG_INVALID', 'Option topics must name at least one topic');
  }
  return resolved;
}
