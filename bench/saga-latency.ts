// The order system under a fixed offered load: completed sagas per second and
// POST-to-COMPLETED latency percentiles, against the floor the same run
// measures: one outbox hop (order committed → its saga started, through
// Debezium and Kafka) times the five hops on the path to COMPLETED
// (OrderPlaced, ReserveStock, StockReserved, AuthorizePayment,
// PaymentAuthorized). The ratio says what the saga machinery adds.
//
//   node --import tsx bench/saga-latency.ts [--rate 10] [--seconds 15]
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { waitFor } from '@eventline/testkit';

import { startOrderSystem } from '../apps/order-saga/test/system';

const { values: args } = parseArgs({
  options: { rate: { type: 'string', default: '10' }, seconds: { type: 'string', default: '15' } },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const hopsToCompleted = 5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const system = await startOrderSystem({ saga: { deadlineIntervalMs: 250 } });
  try {
    await run(system);
  } finally {
    await system.close();
  }
}

async function run(system: Awaited<ReturnType<typeof startOrderSystem>>): Promise<void> {
  const total = Math.max(1, Math.round(rate * seconds));
  const sentAt = new Map<string, number>();
  const started = Date.now();
  const posts: Promise<void>[] = [];

  // Open-loop load: order n is sent at n / rate seconds, whatever came before.
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    posts.push(
      (async () => {
        const sent = Date.now();
        const response = await fetch(`${system.apiUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            customerId: randomUUID(),
            currency: 'EUR',
            items: [{ sku: `SKU-${1 + (n % 5)}`, quantity: 1, unitPrice: 100 }],
          }),
        });
        if (response.status !== 202) {
          throw new Error(`POST /orders answered ${response.status}`);
        }
        sentAt.set(((await response.json()) as { id: string }).id, sent);
      })(),
    );
  }
  await Promise.all(posts);

  const saga = system.databases.saga.pool;
  await waitFor(
    async () => {
      const { rows } = await saga.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM saga_instances WHERE state IN ('COMPLETED', 'COMPENSATED', 'FAILED')",
      );
      return (rows[0]?.n ?? 0) >= total;
    },
    { what: `${total} ended sagas`, timeoutMs: 120_000 + total * 100, intervalMs: 100 },
  );

  const { rows: ended } = await saga.query<{ id: string; created: Date; ended: Date }>(
    "SELECT id, created_at AS created, ended_at AS ended FROM saga_instances WHERE state = 'COMPLETED'",
  );
  const { rows: orders } = await system.databases.orders.pool.query<{ id: string; created: Date }>(
    'SELECT id, created_at AS created FROM orders',
  );
  const orderCreated = new Map(orders.map((o) => [o.id, o.created.getTime()]));

  const endToEnd = ended
    .map((s) => s.ended.getTime() - (sentAt.get(s.id) ?? s.ended.getTime()))
    .sort((a, b) => a - b);
  const hop = ended
    .map((s) => s.created.getTime() - (orderCreated.get(s.id) ?? s.created.getTime()))
    .sort((a, b) => a - b);
  const first = Math.min(...[...sentAt.values()]);
  const last = Math.max(...ended.map((s) => s.ended.getTime()));
  const floorP50 = percentile(hop, 50) * hopsToCompleted;

  const result = {
    benchmark: 'saga-latency',
    date: new Date().toISOString(),
    cores: cpus().length,
    offeredPerSecond: rate,
    orders: total,
    completed: ended.length,
    notCompleted: total - ended.length,
    completedPerSecond: Number((ended.length / ((last - first) / 1000)).toFixed(1)),
    postToCompletedMs: {
      p50: percentile(endToEnd, 50),
      p99: percentile(endToEnd, 99),
      max: endToEnd[endToEnd.length - 1] ?? 0,
    },
    oneHopMs: { p50: percentile(hop, 50), p99: percentile(hop, 99) },
    floorMs: { p50: floorP50, p99: percentile(hop, 99) * hopsToCompleted },
    ratioP50ToFloor: Number((percentile(endToEnd, 50) / Math.max(1, floorP50)).toFixed(2)),
    reference: `${hopsToCompleted} hops x the order-to-saga hop (outbox, Debezium, Kafka, consumer) measured in the same run`,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/saga-latency.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  process.stdout.write(
    `saga: ${result.completedPerSecond} completed/s at ${rate}/s offered; POST→COMPLETED ` +
      `p50 ${result.postToCompletedMs.p50} ms, p99 ${result.postToCompletedMs.p99} ms; ` +
      `one hop p50 ${result.oneHopMs.p50} ms → floor ${floorP50} ms (ratio ${result.ratioP50ToFloor})\n`,
  );
}

await main();
