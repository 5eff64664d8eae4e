import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { metricsHandler } from '@eventline/observability';
import type { EventTypes } from '@eventline/schemas';
import { waitFor } from '@eventline/testkit';
import { Registry } from 'prom-client';

import { transientError, type EventConsumer } from '../src/index';
import { createConsumerFixture, fullName, type ConsumerFixture } from './fixture';

// Retries, the retry bound, chunked inbox transactions and metrics.

describe('retries, chunks and metrics', () => {
  let fx: ConsumerFixture;
  let consumer: EventConsumer<EventTypes>;
  const metrics = new Registry();
  const attemptsByEvent = new Map<string, number>();

  before(async () => {
    fx = await createConsumerFixture('t_retries');
    await fx.db.pool.query('CREATE TABLE flaky_effects (event_id text PRIMARY KEY)');
    consumer = fx.consumer(`${fx.db.name}-group`, {
      metricsRegistry: metrics,
      retryAttempts: 4,
      inboxBatchSize: 10,
    });
    // Fails transiently: twice for key 'flaky', always for key 'hopeless'.
    consumer.on(fullName, 'flaky', async ({ event, tx }) => {
      const attempts = (attemptsByEvent.get(event.id) ?? 0) + 1;
      attemptsByEvent.set(event.id, attempts);
      if ((event.key === 'flaky' && attempts <= 2) || event.key === 'hopeless') {
        throw transientError(`attempt ${attempts} of ${event.key} failed`);
      }
      await tx.query('INSERT INTO flaky_effects (event_id) VALUES ($1)', [event.id]);
    });
    // Cuts its own database connection on the first attempt for key 'cut':
    // pg then fails without a SQLSTATE, as it does when a network drops.
    consumer.on(fullName, 'cut-connection', async ({ event, tx }) => {
      const attempts = (attemptsByEvent.get(`cut:${event.id}`) ?? 0) + 1;
      attemptsByEvent.set(`cut:${event.id}`, attempts);
      // 'cut' loses its connection once; 'outage' on more attempts than the
      // retry bound allows, as when the database is down for a while.
      const cuts = event.key === 'cut' ? 1 : event.key === 'outage' ? 6 : 0;
      if (attempts <= cuts) {
        (
          tx as unknown as { connection: { stream: { destroy(): void } } }
        ).connection.stream.destroy();
        await tx.query('SELECT 1');
      }
    });
    await consumer.start();
  });

  after(async () => {
    await consumer?.stop();
    await fx?.close();
  });

  async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
    const metric = (await metrics.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (metric?.values ?? []) as { value: number; labels: Record<string, string> }[];
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  }

  test('a transient failure is retried in place and then applied once', async () => {
    const id = await fx.produce('flaky', 1);

    await waitFor(async () => {
      const { rowCount } = await fx.db.pool.query(
        'SELECT 1 FROM flaky_effects WHERE event_id = $1',
        [id],
      );
      return rowCount === 1;
    });
    assert.equal(attemptsByEvent.get(id), 3);
    assert.equal(await metricValue('eventline_consumer_retried_total', { handler: 'flaky' }), 2);
  });

  test('a connection dropped under a handler counts as transient and the event is applied once', async () => {
    const id = await fx.produce('cut', 1);

    // Each handler commits on its own, so wait for this handler's inbox row,
    // not for the effect another handler writes.
    await waitFor(
      async () => {
        const { rowCount } = await fx.db.pool.query(
          "SELECT 1 FROM consumer_inbox WHERE handler = 'cut-connection' AND event_id = $1",
          [id],
        );
        return rowCount === 1;
      },
      { what: 'the cut-connection handler to apply the event after the dropped connection' },
    );
    assert.ok((await fx.effects()).some((e) => e.event_id === id));
    assert.equal(attemptsByEvent.get(`cut:${id}`), 2);
    assert.equal(
      await metricValue('eventline_consumer_failed_total', {
        handler: 'cut-connection',
        kind: 'transient',
      }),
      1,
    );
    assert.equal((await consumer.parked({ key: 'cut' })).length, 0);
  });

  test('a database lost for longer than the retry bound parks nothing; the event applies once it is back', async () => {
    const id = await fx.produce('outage', 1);

    await waitFor(
      async () => {
        const { rowCount } = await fx.db.pool.query(
          "SELECT 1 FROM consumer_inbox WHERE handler = 'cut-connection' AND event_id = $1",
          [id],
        );
        return rowCount === 1;
      },
      { what: 'the cut-connection handler to apply the event after the outage' },
    );
    assert.equal(attemptsByEvent.get(`cut:${id}`), 7);
    assert.equal((await consumer.parked({ key: 'outage' })).length, 0);
    assert.equal((await fx.effects()).filter((e) => e.event_id === id).length, 1);
  });

  test('transient failures past the bound park the event as RETRIES_EXHAUSTED', async () => {
    const id = await fx.produce('hopeless', 1);

    const [parked] = await waitFor(async () => {
      const rows = await consumer.parked({ key: 'hopeless' });
      return rows.length > 0 ? rows : undefined;
    });
    assert.equal(parked?.reason, 'RETRIES_EXHAUSTED');
    assert.equal(parked?.handler, 'flaky');
    assert.equal(parked?.attempts, 4);
    assert.equal(attemptsByEvent.get(id), 4);
    // The other handler had applied it before: its effect stays, once.
    assert.equal((await fx.effects()).filter((e) => e.event_id === id).length, 1);
  });

  test('chunks of events commit together; a failing event in a chunk is handled alone', async () => {
    await fx.db.pool.query('INSERT INTO failing (seq) VALUES (305)');
    for (let seq = 301; seq <= 320; seq++) {
      await fx.produce(`chunk-${seq % 4}`, seq);
    }

    await waitFor(
      async () => (await fx.effects()).filter((e) => e.key.startsWith('chunk-')).length === 16,
      {
        what: 'the chunk events that do not wait behind seq 305',
      },
    );
    const effects = (await fx.effects()).filter((e) => e.key.startsWith('chunk-'));
    for (const key of ['chunk-0', 'chunk-1', 'chunk-2', 'chunk-3']) {
      const seqs = effects.filter((e) => e.key === key).map((e) => e.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `order of ${key}`,
      );
    }
    // seq 305 is key chunk-1: it and the later events of chunk-1 are parked.
    const parked = await consumer.parked({ key: 'chunk-1' });
    assert.deepEqual(
      parked.map((p) => p.reason),
      ['HANDLER_FAILED', 'BEHIND_PARKED_KEY', 'BEHIND_PARKED_KEY', 'BEHIND_PARKED_KEY'],
    );
  });

  test('the metrics endpoint serves the counters', async () => {
    const server = createServer(
      (request, response) => void metricsHandler(metrics)(request, response),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const body = await response.text();

      assert.equal(response.status, 200);
      assert.match(
        body,
        /eventline_consumer_handled_total\{group="[^"]+",handler="record-effect"\} \d+/,
      );
      assert.match(body, /eventline_consumer_parked_total\{[^}]*reason="RETRIES_EXHAUSTED"\} 1/);
      assert.match(body, /eventline_consumer_handling_seconds_bucket/);
      assert.match(body, /eventline_consumer_lag\{/);
    } finally {
      server.close();
    }
  });
});
