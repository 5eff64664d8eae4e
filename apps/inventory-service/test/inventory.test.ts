import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { type Decoded, type StockItem, type StockReserved } from '@eventline/schemas';
import {
  startServiceWorld,
  type ServiceWorld,
  waitFor,
  type Collector,
  type RecordProducer,
  type TestDatabase,
} from '@eventline/testkit';

import { startInventoryService, type InventoryService } from '../src/app';

// Inventory on the real stack: commands go in on the test's own
// inventory.commands, replies come back through the outbox and Debezium on
// its own inventory.events.

let db: TestDatabase;
let world: ServiceWorld<InventoryService>;
let service: InventoryService;
let producer: RecordProducer;
let replies: Collector;
let baseUrl: string;

before(async () => {
  world = await startServiceWorld({
    prefix: 't_inv',
    name: 'inventory-service',
    database: 'inventory',
    connectorFile: 'inventory.json',
    topics: ['inventory.commands', 'inventory.events'],
    collect: 'inventory.events',
    start: startInventoryService,
  });
  ({ db, service, producer } = world);
  replies = world.collected as Collector;
  baseUrl = service.url;
});

after(async () => {
  await world?.close();
});

async function reserve(sagaId: string, orderId: string, items: StockItem[]): Promise<void> {
  await producer.send(world.entry('eventline.inventory.ReserveStock'), sagaId, {
    sagaId,
    orderId,
    items,
    occurredAt: new Date(),
    actor: 'system:test',
  });
}

async function release(sagaId: string, orderId: string): Promise<void> {
  await producer.send(world.entry('eventline.inventory.ReleaseStock'), sagaId, {
    sagaId,
    orderId,
    occurredAt: new Date(),
    actor: 'system:test',
  });
}

/** Waits for `count` replies keyed by the saga, and returns them decoded in arrival order. */
async function repliesTo(sagaId: string, count = 1): Promise<Decoded[]> {
  const keyed = await waitFor(
    () => {
      const found = replies.received.filter((m) => m.key?.toString() === sagaId);
      return found.length >= count && found;
    },
    { what: `${count} replies to saga ${sagaId}`, timeoutMs: 60_000 },
  );
  return Promise.all(keyed.map((message) => producer.decode(message)));
}

async function addStock(sku: string, available: number): Promise<void> {
  await db.pool.query('INSERT INTO stock (sku, available) VALUES ($1, $2)', [sku, available]);
}

async function stockOf(sku: string): Promise<{ available: number; reserved: number }> {
  const response = await fetch(`${baseUrl}/stock/${sku}`);
  assert.equal(response.status, 200, `GET /stock/${sku}`);
  const body = (await response.json()) as { available: number; reserved: number };
  return { available: body.available, reserved: body.reserved };
}

async function reservationsOf(orderId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await db.pool.query(
    'SELECT sku, quantity, state FROM reservations WHERE order_id = $1 ORDER BY sku',
    [orderId],
  );
  return rows;
}

test('a reservation that fits takes exactly its quantities and answers StockReserved', async () => {
  await addStock('FIT-A', 10);
  await addStock('FIT-B', 5);
  const sagaId = randomUUID();
  const orderId = randomUUID();

  await reserve(sagaId, orderId, [
    { sku: 'FIT-A', quantity: 2 },
    { sku: 'FIT-B', quantity: 5 },
    { sku: 'FIT-A', quantity: 1 },
  ]);

  const [reply] = await repliesTo(sagaId);
  assert.equal(reply?.fullName, 'eventline.inventory.StockReserved');
  const { occurredAt, ...value } = reply?.value as StockReserved;
  assert.ok(occurredAt instanceof Date);
  assert.deepEqual(value, { sagaId, orderId, actor: 'system:inventory-service' });
  assert.deepEqual(await stockOf('FIT-A'), { available: 7, reserved: 3 });
  assert.deepEqual(await stockOf('FIT-B'), { available: 0, reserved: 5 });
  assert.deepEqual(await reservationsOf(orderId), [
    { sku: 'FIT-A', quantity: 3, state: 'reserved' },
    { sku: 'FIT-B', quantity: 5, state: 'reserved' },
  ]);
});

test('a reservation that does not fit answers StockReservationFailed and changes nothing', async () => {
  await addStock('SHORT-A', 10);
  await addStock('SHORT-B', 4);
  const shortSaga = randomUUID();
  const shortOrder = randomUUID();
  const unknownSaga = randomUUID();
  const unknownOrder = randomUUID();

  await reserve(shortSaga, shortOrder, [
    { sku: 'SHORT-A', quantity: 1 },
    { sku: 'SHORT-B', quantity: 5 },
  ]);
  await reserve(unknownSaga, unknownOrder, [
    { sku: 'SHORT-A', quantity: 1 },
    { sku: 'NO-SUCH-SKU', quantity: 1 },
  ]);

  const [short] = await repliesTo(shortSaga);
  assert.equal(short?.fullName, 'eventline.inventory.StockReservationFailed');
  assert.equal((short?.value as { orderId: string }).orderId, shortOrder);
  assert.equal((short?.value as { reason: string }).reason, 'OUT_OF_STOCK');
  assert.deepEqual((short?.value as { unavailableSkus: string[] }).unavailableSkus, ['SHORT-B']);

  const [unknown] = await repliesTo(unknownSaga);
  assert.equal(unknown?.fullName, 'eventline.inventory.StockReservationFailed');
  assert.equal((unknown?.value as { reason: string }).reason, 'UNKNOWN_SKU');
  assert.deepEqual((unknown?.value as { unavailableSkus: string[] }).unavailableSkus, [
    'NO-SUCH-SKU',
  ]);

  assert.deepEqual(await stockOf('SHORT-A'), { available: 10, reserved: 0 });
  assert.deepEqual(await stockOf('SHORT-B'), { available: 4, reserved: 0 });
  assert.deepEqual(await reservationsOf(shortOrder), []);
  assert.deepEqual(await reservationsOf(unknownOrder), []);
});

test('concurrent reservations for the last units never take stock below zero', async () => {
  await addStock('LAST', 7);
  const sagas = Array.from({ length: 10 }, () => ({ sagaId: randomUUID(), orderId: randomUUID() }));

  await Promise.all(
    sagas.map(({ sagaId, orderId }) => reserve(sagaId, orderId, [{ sku: 'LAST', quantity: 1 }])),
  );

  const outcomes = await Promise.all(sagas.map(async ({ sagaId }) => repliesTo(sagaId)));
  const names = outcomes.map(([reply]) => reply?.fullName);
  assert.equal(names.filter((n) => n === 'eventline.inventory.StockReserved').length, 7);
  assert.equal(names.filter((n) => n === 'eventline.inventory.StockReservationFailed').length, 3);
  assert.deepEqual(await stockOf('LAST'), { available: 0, reserved: 7 });
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM reservations WHERE sku = 'LAST' AND state = 'reserved'`,
  );
  assert.equal(rows[0]?.n, 7);
});

test('a release gives back exactly what the order held, and a second release changes nothing', async () => {
  await addStock('REL-A', 10);
  await addStock('REL-B', 10);
  await db.pool.query(`UPDATE stock SET available = 8, reserved = 2 WHERE sku = 'REL-B'`);
  const sagaId = randomUUID();
  const orderId = randomUUID();
  await reserve(sagaId, orderId, [
    { sku: 'REL-A', quantity: 4 },
    { sku: 'REL-B', quantity: 3 },
  ]);
  await repliesTo(sagaId, 1);
  assert.deepEqual(await stockOf('REL-A'), { available: 6, reserved: 4 });
  assert.deepEqual(await stockOf('REL-B'), { available: 5, reserved: 5 });

  await release(sagaId, orderId);
  const afterFirst = await repliesTo(sagaId, 2);
  assert.equal(afterFirst[1]?.fullName, 'eventline.inventory.StockReleased');
  assert.deepEqual(await stockOf('REL-A'), { available: 10, reserved: 0 });
  assert.deepEqual(await stockOf('REL-B'), { available: 8, reserved: 2 }, 'others keep theirs');

  await release(sagaId, orderId);
  const afterSecond = await repliesTo(sagaId, 3);
  assert.equal(afterSecond[2]?.fullName, 'eventline.inventory.StockReleased');
  assert.deepEqual(await stockOf('REL-A'), { available: 10, reserved: 0 });
  assert.deepEqual(await stockOf('REL-B'), { available: 8, reserved: 2 });
  assert.deepEqual(await reservationsOf(orderId), [
    { sku: 'REL-A', quantity: 4, state: 'released' },
    { sku: 'REL-B', quantity: 3, state: 'released' },
  ]);
});

test('releasing an order that holds nothing answers StockReleased', async () => {
  const sagaId = randomUUID();
  const orderId = randomUUID();

  await release(sagaId, orderId);

  const [reply] = await repliesTo(sagaId);
  assert.equal(reply?.fullName, 'eventline.inventory.StockReleased');
  assert.equal((reply?.value as { orderId: string }).orderId, orderId);
  assert.deepEqual(await reservationsOf(orderId), []);
});

test('a repeated ReserveStock for an order that holds stock answers StockReserved without holding twice', async () => {
  await addStock('TWICE', 10);
  const sagaId = randomUUID();
  const orderId = randomUUID();

  await reserve(sagaId, orderId, [{ sku: 'TWICE', quantity: 3 }]);
  await reserve(sagaId, orderId, [{ sku: 'TWICE', quantity: 3 }]);

  const both = await repliesTo(sagaId, 2);
  assert.deepEqual(
    both.map((reply) => reply.fullName),
    ['eventline.inventory.StockReserved', 'eventline.inventory.StockReserved'],
  );
  assert.deepEqual(await stockOf('TWICE'), { available: 7, reserved: 3 });
  assert.deepEqual(await reservationsOf(orderId), [
    { sku: 'TWICE', quantity: 3, state: 'reserved' },
  ]);
});

test('an order whose stock was released is not reserved again', async () => {
  await addStock('AGAIN', 10);
  const sagaId = randomUUID();
  const orderId = randomUUID();
  await reserve(sagaId, orderId, [{ sku: 'AGAIN', quantity: 2 }]);
  await release(sagaId, orderId);
  await repliesTo(sagaId, 2);

  await reserve(sagaId, orderId, [{ sku: 'AGAIN', quantity: 2 }]);

  const all = await repliesTo(sagaId, 3);
  assert.equal(all[2]?.fullName, 'eventline.inventory.StockReservationFailed');
  assert.equal((all[2]?.value as { reason: string }).reason, 'UNKNOWN');
  assert.deepEqual(await stockOf('AGAIN'), { available: 10, reserved: 0 });
});

test('GET /stock/:sku answers 404 for a product it does not keep, and the demo stock is seeded', async () => {
  const missing = await fetch(`${baseUrl}/stock/NO-SUCH-SKU`);
  assert.equal(missing.status, 404);

  for (const sku of ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5']) {
    assert.deepEqual(await stockOf(sku), { available: 1000, reserved: 0 });
  }
});
