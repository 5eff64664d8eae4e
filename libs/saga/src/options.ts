import type { Pool } from '@eventline/db';
import { silentLogger, type Logger } from '@eventline/observability';
import type { OutboxPublisher } from '@eventline/outbox';
import { register as defaultRegistry, type Registry } from 'prom-client';

import type { Saga } from './definition';
import { SagaError } from './errors';

export interface SagaEngineOptions<Types> {
  /** The orchestrator's database: saga instances, and the outbox the watcher writes to. */
  pool: Pool;
  /** Sends the commands of the deadline watcher, and of `start` when given no `publish`. */
  publisher: OutboxPublisher<Types>;
  /** The sagas this engine runs, from `defineSaga`; names are unique. */
  sagas: Saga<Types, unknown>[];
  /** How often the deadline watcher looks for passed deadlines (default 1000 ms). */
  deadlineIntervalMs?: number;
  /**
   * Times a compensation command is sent, the first included, before the
   * saga ends FAILED (default 5).
   */
  compensationAttempts?: number;
  /** Most instances the watcher handles per tick, each in its own transaction (default 100). */
  deadlineBatchSize?: number;
  metricsRegistry?: Registry;
  logger?: Logger;
}

export type ResolvedSagaEngineOptions<Types> = Required<SagaEngineOptions<Types>>;

/** Applies the defaults in one place and rejects options that cannot work, naming them. */
export function resolveOptions<Types>(
  options: SagaEngineOptions<Types>,
): ResolvedSagaEngineOptions<Types> {
  const resolved: ResolvedSagaEngineOptions<Types> = {
    ...options,
    deadlineIntervalMs: options.deadlineIntervalMs ?? 1_000,
    compensationAttempts: options.compensationAttempts ?? 5,
    deadlineBatchSize: options.deadlineBatchSize ?? 100,
    metricsRegistry: options.metricsRegistry ?? defaultRegistry,
    logger: options.logger ?? silentLogger,
  };

  const positive = ['deadlineIntervalMs', 'compensationAttempts', 'deadlineBatchSize'] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new SagaError('CONFIG_INVALID', `Option ${name} must be an integer >= 1`);
    }
  }
  if (!resolved.pool) {
    throw new SagaError('CONFIG_INVALID', 'Option pool is required');
  }
  if (!resolved.publisher) {
    throw new SagaError('CONFIG_INVALID', 'Option publisher is required');
  }
  if (!Array.isArray(resolved.sagas) || resolved.sagas.length === 0) {
    throw new SagaError('CONFIG_INVALID', 'Option sagas must hold at least one saga');
  }
  const names = new Set<string>();
  resolved.sagas.forEach((saga, i) => {
    if (names.has(saga.name)) {
      throw new SagaError(
        'CONFIG_INVALID',
        `Option sagas[${i}] repeats the saga name ${saga.name}`,
      );
    }
    names.add(saga.name);
  });
  return resolved;
}
