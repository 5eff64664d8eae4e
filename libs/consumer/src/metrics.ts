import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ConsumerMetrics {
  handled: Counter<'group' | 'handler'>;
  duplicates: Counter<'group' | 'handler'>;
  failed: Counter<'group' | 'handler' | 'kind'>;
  retried: Counter<'group' | 'handler'>;
  parked: Counter<'group' | 'handler' | 'reason'>;
  latency: Histogram<'group' | 'handler'>;
  lag: Gauge<'group' | 'topic' | 'partition'>;
}

/**
 * The consumer's metrics in `registry`. Several consumers in one process
 * share the same series, told apart by the `group` label.
 */
export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  function reuse<T>(name: string, make: () => T): T {
    return (registry.getSingleMetric(name) as T | undefined) ?? make();
  }
  const registers = [registry];

  return {
    handled: reuse(
      'eventline_consumer_handled_total',
      () =>
        new Counter({
          name: 'eventline_consumer_handled_total',
          help: 'Events a handler applied (its transaction committed)',
          labelNames: ['group', 'handler'],
          registers,
        }),
    ),
    duplicates: reuse(
      'eventline_consumer_duplicates_total',
      () =>
        new Counter({
          name: 'eventline_consumer_duplicates_total',
          help: 'Redelivered events the inbox skipped',
          labelNames: ['group', 'handler'],
          registers,
        }),
    ),
    failed: reuse(
      'eventline_consumer_failed_total',
      () =>
        new Counter({
          name: 'eventline_consumer_failed_total',
          help: 'Handler attempts that failed, by transient or permanent',
          labelNames: ['group', 'handler', 'kind'],
          registers,
        }),
    ),
    retried: reuse(
      'eventline_consumer_retried_total',
      () =>
        new Counter({
          name: 'eventline_consumer_retried_total',
          help: 'Retries after a transient failure',
          labelNames: ['group', 'handler'],
          registers,
        }),
    ),
    parked: reuse(
      'eventline_consumer_parked_total',
      () =>
        new Counter({
          name: 'eventline_consumer_parked_total',
          help: 'Events parked, by reason',
          labelNames: ['group', 'handler', 'reason'],
          registers,
        }),
    ),
    latency: reuse(
      'eventline_consumer_handling_seconds',
      () =>
        new Histogram({
          name: 'eventline_consumer_handling_seconds',
          help: 'Time from the start of a handler transaction to its commit',
          labelNames: ['group', 'handler'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers,
        }),
    ),
    lag: reuse(
      'eventline_consumer_lag',
      () =>
        new Gauge({
          name: 'eventline_consumer_lag',
          help: 'Messages behind the partition high watermark when a batch was fetched',
          labelNames: ['group', 'topic', 'partition'],
          registers,
        }),
    ),
  };
}
