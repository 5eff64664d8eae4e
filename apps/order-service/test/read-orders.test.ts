import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import { orderBody, startOrderWorld, type OrderWorld } from './world';

// Reading orders: one with the progress the order saga reports, and the
// newest-first listing with cursors and a status filter. The saga is played
// by a small HTTP server whose answer each test sets.

type SagaBehaviour = 'answer' | 'not-found' | 'hang' | 'reset' | 'not-json';

let world: OrderWorld;
let saga: Server;
let sagaBehaviour: SagaBehaviour = 'answer';
const sagaRequests: string[] = [];

before(async () => {
  saga = createServer((request, response) => {
    sagaRequests.push(request.url ?? '');
    const id = /^\/sagas\/([^/]+)$/.exec(request.url ?? '')?.[1];
    if (sagaBehaviour === 'hang') {
      return;
    }
    if (sagaBehaviour === 'reset') {
      request.socket.destroy();
      return;
    }
    if (sagaBehaviour === 'not-json') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('fine');
      return;
    }
    if (sagaBehaviour === 'not-found' || !id) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        sagaId: id,
        state: 'RESERVING_STOCK',
        currentStep: 'reserve-stock',
        transitions: [{ from: 'STARTED', to: 'RESERVING_STOCK' }],
      }),
    );
  });
  await new Promise<void>((resolve) => saga.listen(0, '127.0.0.1', resolve));
  const port = (saga.address() as AddressInfo).port;
  world = await startOrderWorld({
    sagaStatusUrl: `http://127.0.0.1:${port}`,
    sagaStatusTimeoutMs: 300,
  });
});

after(async () => {
  await world?.stop();
  saga?.closeAllConnections();
  await new Promise((resolve) => saga?.close(resolve));
});

async function place(overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await world.placeOrder(orderBody(overrides));
  assert.equal(answer.status, 202);
  return (answer.body as { id: string }).id;
}

test('an order reads back with its lines, totals and the saga progress', async () => {
  sagaBehaviour = 'answer';
  const id = await place({
    items: [
      { sku: 'SKU-A', quantity: 3, unitPrice: 500 },
      { sku: 'SKU-B', quantity: 1, unitPrice: 0 },
    ],
    currency: 'JPY',
  });

  const answer = await world.request('GET', `/orders/${id.toUpperCase()}`);

  assert.equal(answer.status, 200);
  const order = answer.body as Record<string, unknown>;
  assert.equal(order.id, id);
  assert.equal(order.status, 'PENDING');
  assert.equal(order.cancelReason, null);
  assert.equal(order.customerId, orderBody().customerId);
  assert.deepEqual(order.items, [
    { sku: 'SKU-A', quantity: 3, unitPrice: 500, lineTotal: 1500 },
    { sku: 'SKU-B', quantity: 1, unitPrice: 0, lineTotal: 0 },
  ]);
  assert.equal(order.total, 1500);
  assert.equal(order.currency, 'JPY');
  assert.ok(!Number.isNaN(Date.parse(String(order.createdAt))));
  assert.deepEqual(order.progress, {
    sagaId: id,
    state: 'RESERVING_STOCK',
    currentStep: 'reserve-stock',
    transitions: [{ from: 'STARTED', to: 'RESERVING_STOCK' }],
  });
  assert.ok(sagaRequests.includes(`/sagas/${id}`), 'the saga was asked by the order id');
});

test('the order still answers, with null progress, when the saga cannot tell', async () => {
  const id = await place();
  for (const behaviour of ['not-found', 'hang', 'reset', 'not-json'] as const) {
    sagaBehaviour = behaviour;
    const started = Date.now();
    const answer = await world.request('GET', `/orders/${id}`);

    assert.equal(answer.status, 200, behaviour);
    const order = answer.body as Record<string, unknown>;
    assert.equal(order.id, id, behaviour);
    assert.equal(order.progress, null, behaviour);
    assert.ok(Date.now() - started < 5_000, `${behaviour} did not hold the answer`);
  }
  sagaBehaviour = 'answer';
});

test('the listing pages newest first through every order, each once', async () => {
  const mine = new Set<string>();
  const currency = 'CHF';
  for (let i = 0; i < 5; i += 1) {
    mine.add(await place({ currency }));
  }
  const { rows } = await world.db.pool.query<{ id: string }>(
    'SELECT id FROM orders ORDER BY created_at DESC, id DESC',
  );
  const expected = rows.map((row) => row.id);

  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
    const answer = await world.request('GET', `/orders${query}`);
    assert.equal(answer.status, 200);
    const page = answer.body as { items: { id: string }[]; nextCursor: string | null };
    pageSizes.push(page.items.length);
    seen.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null && seen.length <= expected.length);

  assert.deepEqual(seen, expected, 'every order once, newest first');
  assert.ok(expected.length >= 5);
  assert.ok(
    pageSizes.slice(0, -1).every((size) => size === 2),
    `full pages before the last: ${pageSizes.join(',')}`,
  );
  assert.ok([...mine].every((id) => seen.includes(id)));
});

test('orders created in the same microsecond still page without gaps', async () => {
  // Orders of one transaction share created_at: the id breaks the tie.
  await world.db.pool.query(
    `UPDATE orders SET created_at = '2000-01-01T00:00:00.123456Z'
     WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 3)`,
  );
  const { rows } = await world.db.pool.query<{ id: string }>(
    'SELECT id FROM orders ORDER BY created_at DESC, id DESC',
  );

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const answer = await world.request(
      'GET',
      `/orders?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
    );
    const page = answer.body as { items: { id: string }[]; nextCursor: string | null };
    seen.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null && seen.length <= rows.length);

  assert.deepEqual(
    seen,
    rows.map((row) => row.id),
  );
});

test('the status filter lists only orders in that status', async () => {
  const cancelled = await place();
  const confirmed = await place();
  await world.db.pool.query(
    `UPDATE orders SET status = 'CANCELLED', cancel_reason = 'OUT_OF_STOCK' WHERE id = $1`,
    [cancelled],
  );
  await world.db.pool.query(`UPDATE orders SET status = 'CONFIRMED' WHERE id = $1`, [confirmed]);

  const list = async (status: string) => {
    const answer = await world.request('GET', `/orders?status=${status}&limit=100`);
    assert.equal(answer.status, 200);
    return (answer.body as { items: { id: string; status: string; cancelReason: string }[] }).items;
  };

  const cancelledItems = await list('CANCELLED');
  assert.deepEqual(
    cancelledItems.map((item) => [item.id, item.status, item.cancelReason]),
    [[cancelled, 'CANCELLED', 'OUT_OF_STOCK']],
  );
  assert.deepEqual(
    (await list('CONFIRMED')).map((item) => item.id),
    [confirmed],
  );
  const pending = await list('PENDING');
  assert.ok(pending.length >= 5);
  assert.ok(pending.every((item) => item.status === 'PENDING'));
  assert.ok(!pending.some((item) => item.id === cancelled || item.id === confirmed));
});

test('the request counter counts answers by route and status', async () => {
  await world.request('GET', '/orders?limit=1');
  await world.request('GET', '/orders/12345');

  const answer = await world.request('GET', '/metrics');
  const text = String(answer.body);
  assert.match(
    text,
    /eventline_http_requests_total\{method="GET",route="\/orders",status="200"\} [1-9]/,
  );
  assert.match(
    text,
    /eventline_http_requests_total\{method="GET",route="\/orders\/:id",status="400"\} [1-9]/,
  );
  assert.match(text, /eventline_http_request_duration_seconds_bucket\{/);
});
