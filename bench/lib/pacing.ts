// Open-loop load at a steady offered rate, and the latency samples it yields.
import { setTimeout as sleep } from 'node:timers/promises';

import { percentile, round } from './run';

/** Milliseconds on the one clock both ends of a latency read: this process's monotonic clock. */
export const now = (): number => performance.now();

/**
 * Calls `fire(n)` for n = 0 … rate × seconds - 1, the n-th at n / rate
 * seconds after the start, whether or not earlier calls have finished (a
 * slow system must not lower the load it is offered). Resolves once every
 * call has settled; returns the rate actually offered.
 */
export async function offerAtRate(
  rate: number,
  seconds: number,
  fire: (n: number) => Promise<void>,
): Promise<number> {
  const total = Math.max(1, Math.round(rate * seconds));
  const pending: Promise<void>[] = [];
  const started = now();
  let sent = 0;
  let lastFiredAt = started;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - started) * rate) / 1000) + 1);
    while (sent < due) {
      pending.push(fire(sent));
      sent++;
    }
    lastFiredAt = now();
    if (sent < total) {
      await sleep(Math.max(0, Math.min(5, started + (sent * 1000) / rate - now())));
    }
  }
  await Promise.all(pending);
  // Intervals between calls over the time they spanned: n calls span n - 1 intervals.
  return total > 1 ? (total - 1) / ((lastFiredAt - started) / 1000) : rate;
}

export interface Percentiles {
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function percentilesOf(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    p999: round(percentile(sorted, 99.9)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}
