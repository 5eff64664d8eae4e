import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { EventTypes } from '@eventline/schemas';
import { waitFor } from '@eventline/testkit';
import { Registry } from 'prom-client';

import type { EventConsumer } from '../src/index';
import { createConsumerFixture, fullName, type ConsumerFixture } from './fixture';

// A second member joins the group while the first is mid-stream: partitions
// move, nothing is lost, nothing is applied twice, per-key order holds.

const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
const perKey = 40;
let fx: ConsumerFixture;
const members: EventConsumer<EventTypes>[] = [];

before(async () => {
  fx = await createConsumerFixture('t_rebalance');
  for (let seq = 1; seq <= perKey; seq++) {
    for (const key of keys) {
      await fx.produce(key, seq);
    }
  }
});

after(async () => {
  for (const member of members) {
    await member.stop();
  }
  await fx?.close();
});

test('a member joining mid-stream loses and doubles nothing', async () => {
  const groupId = `${fx.db.name}-group`;
  // A handler slow enough (20 ms an event, 3 partitions at once) that the
  // stream is still running when the second member joins.
  const slowly = async ({ tx }: { tx: { query(sql: string): Promise<unknown> } }) => {
    await tx.query('SELECT pg_sleep(0.02)');
  };
  const firstMetrics = new Registry();
  const secondMetrics = new Registry();
  const first = fx
    .consumer(groupId, { partitionsConsumedConcurrently: 3, metricsRegistry: firstMetrics })
    .on(fullName, 'slowly', slowly);
  members.push(first);
  await first.start();
  await waitFor(async () => (await fx.effects()).length >= 100, { what: 'the first 100 effects' });

  const second = fx
    .consumer(groupId, { partitionsConsumedConcurrently: 3, metricsRegistry: secondMetrics })
    .on(fullName, 'slowly', slowly);
  members.push(second);
  await second.start();
  await fx.waitForEffects(keys.length * perKey, 90_000);

  assert.ok((await handled(secondMetrics)) > 0, 'the second member took partitions over');
  assert.ok((await handled(firstMetrics)) > 0);

  const effects = await fx.effects();
  assert.equal(effects.length, keys.length * perKey);
  assert.equal(new Set(effects.map((e) => e.event_id)).size, effects.length);
  for (const key of keys) {
    assert.deepEqual(
      effects.filter((e) => e.key === key).map((e) => e.seq),
      Array.from({ length: perKey }, (_, i) => i + 1),
      `order of ${key}`,
    );
  }
});

async function handled(registry: Registry): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'eventline_consumer_handled_total',
  );
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string> }[];
  return values
    .filter((v) => v.labels.handler === 'record-effect')
    .reduce((n, v) => n + v.value, 0);
}
