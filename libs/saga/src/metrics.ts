import { Counter, type Registry } from 'prom-client';

export interface SagaMetrics {
  started: Counter<'saga'>;
  /** By terminal state; started minus ended is what is in flight. */
  ended: Counter<'saga' | 'state'>;
  /** The alert: a saga that ended FAILED needs an operator. */
  failed: Counter<'saga' | 'reason'>;
  transitions: Counter<'saga' | 'kind'>;
  ignored: Counter<'saga' | 'reason'>;
}

/**
 * The engine's metrics in `registry`, shared by engines in one process.
 *
 * Counts made in a reply handler are taken at the end of the handler, just
 * before the consumer commits; if that commit fails the consumer runs the
 * handler again and the count is taken twice. Counts made by the deadline
 * watcher (every FAILED saga among them) are taken after the commit.
 */
export function createSagaMetrics(registry: Registry): SagaMetrics {
  function reuse<T>(name: string, make: () => T): T {
    return (registry.getSingleMetric(name) as T | undefined) ?? make();
  }
  const registers = [registry];

  return {
    started: reuse(
      'eventline_saga_started_total',
      () =>
        new Counter({
          name: 'eventline_saga_started_total',
          help: 'Saga instances started',
          labelNames: ['saga'],
          registers,
        }),
    ),
    ended: reuse(
      'eventline_saga_ended_total',
      () =>
        new Counter({
          name: 'eventline_saga_ended_total',
          help: 'Saga instances that reached a terminal state, by state',
          labelNames: ['saga', 'state'],
          registers,
        }),
    ),
    failed: reuse(
      'eventline_saga_failed_total',
      () =>
        new Counter({
          name: 'eventline_saga_failed_total',
          help: 'Saga instances that ended FAILED and need an operator (alert on any increase)',
          labelNames: ['saga', 'reason'],
          registers,
        }),
    ),
    transitions: reuse(
      'eventline_saga_transitions_total',
      () =>
        new Counter({
          name: 'eventline_saga_transitions_total',
          help: 'Saga transitions applied, by kind',
          labelNames: ['saga', 'kind'],
          registers,
        }),
    ),
    ignored: reuse(
      'eventline_saga_replies_ignored_total',
      () =>
        new Counter({
          name: 'eventline_saga_replies_ignored_total',
          help: 'Replies that changed nothing: late, repeated, or for a saga that has ended',
          labelNames: ['saga', 'reason'],
          registers,
        }),
    ),
  };
}
