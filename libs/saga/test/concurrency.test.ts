import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import type { HandlerContext } from '@eventline/consumer';
import type { PoolClient } from '@eventline/db';
import { silentLogger } from '@eventline/observability';
import type { EventTypes } from '@eventline/schemas';
import { waitFor } from '@eventline/testkit';
import { Registry } from 'prom-client';

import { createSagaEngine } from '../src/index';
import { cooperative } from './participants';
import type { TestOrderData } from './test-saga';
import { createSagaWorld, type SagaWorld } from './world';

// One saga moved from several places at once: redelivered and repeated
// replies, two replies in two transactions, two orchestrators' watchers.
// Deadlines here are driven by the test (no background watcher), so none
// passes by itself while a test holds a saga.

let world: SagaWorld;

before(async () => {
  world = await createSagaWorld('t_saga_conc', {
    deadlineMs: 2_000,
    compensationAttempts: 3,
    watchDeadlines: false,
  });
});

after(async () => {
  await world?.close();
});

/** Starts a saga whose inventory keeps silent and waits until it asked for stock. */
async function sagaAwaitingStock(): Promise<{ sagaId: string; data: TestOrderData }> {
  const sagaId = await world.placeOrder({ ...cooperative, stock: 'silent' });
  await waitFor(
    () => world.participants.commandsOf(sagaId, 'eventline.inventory.ReserveStock')[0],
    {
      what: 'the ReserveStock command',
    },
  );
  const data = (await world.instance(sagaId))?.data as TestOrderData;
  return { sagaId, data };
}

function stockReserved(sagaId: string, data: TestOrderData) {
  return { sagaId, orderId: data.orderId, occurredAt: new Date(), actor: 'system:fake' };
}

test('a reply delivered twice, and the same reply sent again under new ids, moves the saga once', async () => {
  const { sagaId, data } = await sagaAwaitingStock();
  const ignoredBefore = await world.metric('eventline_saga_replies_ignored_total');
  const duplicatesBefore = await world.metric('eventline_consumer_duplicates_total');

  // Three ids spread over the partitions, and one id delivered twice.
  const reply = stockReserved(sagaId, data);
  const type = 'eventline.inventory.StockReserved';
  const duplicateId = randomUUID();
  const ids = await Promise.all([
    world.produce(type, sagaId, reply, { partition: 0 }),
    world.produce(type, sagaId, reply, { partition: 1 }),
    world.produce(type, sagaId, reply, { partition: 2 }),
    world.produce(type, sagaId, reply, { partition: 0, id: duplicateId }),
    world.produce(type, sagaId, reply, { partition: 0, id: duplicateId }),
  ]);

  const ended = await world.waitForTerminal(sagaId);
  await waitFor(
    async () => (await Promise.all(ids.map((id) => world.handled(id)))).every(Boolean),
    { what: 'every reply to be handled' },
  );
  assert.equal(ended.state, 'COMPLETED');
  assert.deepEqual(
    (await world.transitions(sagaId)).map((t) => t.kind),
    ['STARTED', 'STEP_SUCCEEDED', 'STEP_SUCCEEDED'],
    'one transition per step for four distinct replies to the first',
  );
  assert.equal((await world.instance(sagaId))?.version, 3);
  const ignored = (await world.metric('eventline_saga_replies_ignored_total')) - ignoredBefore;
  assert.equal(ignored, 3, 'the three other distinct replies were ignored');
  const duplicates = (await world.metric('eventline_consumer_duplicates_total')) - duplicatesBefore;
  assert.ok(duplicates >= 1, 'the id delivered twice was skipped by the inbox');
});

test('two replies of one saga handled at the same time are serialized: the second sees what the first did', async () => {
  const { sagaId, data } = await sagaAwaitingStock();
  const context = (tx: PoolClient) =>
    ({
      event: {
        id: randomUUID(),
        type: 'eventline.inventory.StockReserved',
        key: sagaId,
        value: stockReserved(sagaId, data),
        topic: world.topicOf('eventline.inventory.StockReserved'),
        partition: 0,
        offset: '0',
        timestamp: Date.now(),
        metadata: {},
      },
      tx,
      publish: (event) => world.publisher.publish(tx, event),
      logger: silentLogger,
    }) as HandlerContext<EventTypes, unknown>;

  const first = await world.db.pool.connect();
  const second = await world.db.pool.connect();
  try {
    await first.query('BEGIN');
    await second.query('BEGIN');
    assert.equal(await world.engine.handleReply(context(first)), 'applied');

    const secondOutcome = world.engine.handleReply(context(second));
    await waitFor(
      async () => {
        const { rows } = await world.db.adminPool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return (rows[0]?.n ?? 0) > 0;
      },
      { what: 'the second reply to wait for the first' },
    );
    await first.query('COMMIT');
    assert.equal(await secondOutcome, 'ignored');
    await second.query('COMMIT');
  } finally {
    first.release();
    second.release();
  }

  const instance = await world.instance(sagaId);
  assert.equal(instance?.version, 2);
  assert.equal(instance?.stepIndex, 1);
  assert.deepEqual(
    (await world.transitions(sagaId)).map((t) => t.kind),
    ['STARTED', 'STEP_SUCCEEDED'],
  );
});

test('a passed deadline is handled once by two orchestrators, and skipped while a reply holds the saga', async () => {
  const { sagaId } = await sagaAwaitingStock();
  const other = createSagaEngine<EventTypes>({
    pool: world.db.pool,
    publisher: world.publisher,
    sagas: [world.saga],
    metricsRegistry: new Registry(),
    compensationAttempts: 3,
  });
  // Bring this saga's deadline forward rather than waiting for it, and the
  // earlier tests' sagas out of the way.
  await world.db.pool.query(
    `UPDATE saga_instances SET deadline_at = CASE WHEN id = $1
       THEN now() - interval '1 second' ELSE now() + interval '1 hour' END
     WHERE deadline_at IS NOT NULL`,
    [sagaId],
  );

  const holder = await world.db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM saga_instances WHERE id = $1 FOR UPDATE', [sagaId]);
    const started = Date.now();
    assert.equal(await world.engine.checkDeadlines(), 0, 'a held saga is skipped');
    assert.ok(Date.now() - started < 1_000, 'skipped without waiting for the holder');
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }

  const moved = await Promise.all([world.engine.checkDeadlines(), other.checkDeadlines()]);
  assert.equal(moved[0] + moved[1], 1, `one of the two moved it (${moved.join(', ')})`);
  const timedOut = (await world.transitions(sagaId)).filter((t) => t.kind === 'STEP_TIMED_OUT');
  assert.equal(timedOut.length, 1);
  assert.equal((await world.instance(sagaId))?.state, 'COMPENSATING');
});
