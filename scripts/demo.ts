// `make demo`: places a few orders through the order service's REST API and
// prints how each ended. Needs `make up` (the stack and the apps).
//   node --import tsx scripts/demo.ts [--api http://127.0.0.1:3000]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { api: { type: 'string', default: 'http://127.0.0.1:3000' } },
});
const api = values.api ?? 'http://127.0.0.1:3000';

interface Scenario {
  title: string;
  body: {
    customerId: string;
    currency: string;
    items: { sku: string; quantity: number; unitPrice: number }[];
  };
}

const scenarios: Scenario[] = [
  {
    title: 'two items in stock, a small amount',
    body: {
      customerId: randomUUID(),
      currency: 'EUR',
      items: [
        { sku: 'SKU-1', quantity: 2, unitPrice: 1250 },
        { sku: 'SKU-2', quantity: 1, unitPrice: 990 },
      ],
    },
  },
  {
    title: 'an amount over the default payment limit (1,000.00)',
    body: {
      customerId: randomUUID(),
      currency: 'EUR',
      items: [{ sku: 'SKU-3', quantity: 3, unitPrice: 50_000 }],
    },
  },
  {
    title: 'a product the inventory does not know',
    body: {
      customerId: randomUUID(),
      currency: 'EUR',
      items: [{ sku: 'NO-SUCH-SKU', quantity: 1, unitPrice: 500 }],
    },
  },
];

async function place(scenario: Scenario): Promise<string> {
  const response = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(scenario.body),
  });
  if (response.status !== 202) {
    throw new Error(`POST /orders answered ${response.status}: ${await response.text()}`);
  }
  return ((await response.json()) as { id: string }).id;
}

async function outcome(id: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const order = (await (await fetch(`${api}/orders/${id}`)).json()) as Record<string, unknown>;
    if (order.status !== 'PENDING' || Date.now() > deadline) {
      return order;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const placed = await Promise.all(scenarios.map(async (s) => ({ scenario: s, id: await place(s) })));
for (const { scenario, id } of placed) {
  const order = await outcome(id);
  const progress = order.progress as { state?: string } | null | undefined;
  process.stdout.write(
    `${scenario.title}\n  order ${id}: ${String(order.status)}` +
      `${order.cancelReason ? ` (${String(order.cancelReason)})` : ''}` +
      `, saga ${progress?.state ?? 'unknown'}\n`,
  );
}
