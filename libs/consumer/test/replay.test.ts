import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { EventTypes } from '@eventline/schemas';
import { waitFor } from '@eventline/testkit';
import type { Admin } from 'kafkajs';

import {
  ConsumerError,
  planReplay,
  prepareReplayGroup,
  redriveRequestStatus,
  requestRedrive,
  resetGroupForReplay,
  type EventConsumer,
} from '../src/index';
import { createConsumerFixture, type ConsumerFixture } from './fixture';

// Replays on the real stack: windows by time into a new group, resets of an
// inactive group with and without a new epoch, the refusal to reset an active
// group, and operators' re-drive requests served by a running member.

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (second: number) => t0 + second * 1000;
const keys = ['x', 'y', 'z'];
const phases = { A: 1, B: 2, C: 3 } as const; // seconds after t0
const seqs = { A: [1, 2], B: [3, 4], C: [5, 6] } as const;

describe('replays', () => {
  let fx: ConsumerFixture;
  let admin: Admin;
  let main: EventConsumer<EventTypes> | undefined;
  const group = () => `${fx.db.name}-main`;

  before(async () => {
    fx = await createConsumerFixture('t_replay');
    admin = fx.kafka.admin();
    await admin.connect();
    for (const phase of ['A', 'B', 'C'] as const) {
      for (const seq of seqs[phase]) {
        for (const key of keys) {
          await fx.produce(key, seq, undefined, at(phases[phase]) + seq);
        }
      }
    }
    main = fx.consumer(group());
    await main.start();
    await fx.waitForEffects(18);
  });

  after(async () => {
    await main?.stop();
    await admin?.disconnect();
    await fx?.close();
  });

  async function effectsAfter(count: number) {
    return (await fx.effects()).slice(count);
  }

  async function committedTotal(groupId: string): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [fx.topic] });
    return offsets?.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) ?? 0;
  }

  test('a time window replayed into a new group handles exactly that window, in order per key', async () => {
    const before = (await fx.effects()).length;
    const request = {
      groupId: group(),
      topic: fx.topic,
      from: { timestamp: at(phases.B) },
      until: at(phases.C) - 1,
    };
    const plan = await planReplay(admin, request);
    assert.equal(
      plan.reduce((n, p) => n + p.events, 0),
      6,
      'the dry run counts B only',
    );

    const replayGroup = `${fx.db.name}-replay-b`;
    const epoch = await prepareReplayGroup(admin, fx.db.pool, request, plan, replayGroup, {
      rerun: true,
    });
    assert.ok(epoch > 0);
    const replayer = fx.consumer(replayGroup);
    await replayer.start();
    try {
      await waitFor(async () => (await committedTotal(replayGroup)) === 18, {
        what: 'the replay group to reach the end of the topic',
      });
    } finally {
      await replayer.stop();
    }

    const replayed = await effectsAfter(before);
    for (const key of keys) {
      assert.deepEqual(
        replayed.filter((e) => e.key === key).map((e) => e.seq),
        [...seqs.B],
        `window events of ${key}, once each, in order`,
      );
    }
    assert.equal(replayed.length, 6);
  });

  test('resetting an active group is refused, naming its members, and changes no offset', async () => {
    const offsetsBefore = await committedTotal(group());
    const request = { groupId: group(), topic: fx.topic, from: { timestamp: at(phases.A) } };
    const plan = await planReplay(admin, request);

    await assert.rejects(
      resetGroupForReplay(admin, fx.db.pool, request, plan, { rerun: true }),
      (error: unknown) =>
        error instanceof ConsumerError &&
        error.code === 'GROUP_ACTIVE' &&
        /t_replay-test/.test(error.message),
    );
    assert.equal(await committedTotal(group()), offsetsBefore);
  });

  test('an inactive group reset with a new epoch recomputes effects; without one, nothing runs twice', async () => {
    await main?.stop();
    main = undefined;
    const request = { groupId: group(), topic: fx.topic, from: { timestamp: at(phases.C) } };

    // Without a new epoch: the group reads C again, the inbox skips it all.
    let before = (await fx.effects()).length;
    await resetGroupForReplay(admin, fx.db.pool, request, await planReplay(admin, request), {
      rerun: false,
    });
    assert.equal(await committedTotal(group()), 12, 'the group was moved back to C');
    main = fx.consumer(group());
    await main.start();
    await waitFor(async () => (await committedTotal(group())) === 18, { what: 'catching up' });
    assert.equal((await fx.effects()).length, before, 'nothing done twice');

    // With a new epoch: C's effects are computed again, once, in order.
    await main.stop();
    main = undefined;
    before = (await fx.effects()).length;
    await resetGroupForReplay(admin, fx.db.pool, request, await planReplay(admin, request), {
      rerun: true,
    });
    main = fx.consumer(group());
    await main.start();
    await fx.waitForEffects(before + 6);
    const recomputed = await effectsAfter(before);
    for (const key of keys) {
      assert.deepEqual(
        recomputed.filter((e) => e.key === key).map((e) => e.seq),
        [...seqs.C],
      );
    }
  });

  test('a re-drive request is served by a running member: parked events apply in order, then the key flows', async () => {
    const consumer = main;
    assert.ok(consumer, 'the main group runs');
    await fx.db.pool.query('INSERT INTO failing (seq) VALUES (42)');
    for (const seq of [41, 42, 43]) {
      await fx.produce('r', seq);
    }
    await waitFor(async () => (await consumer.parked({ key: 'r' })).length === 2, {
      what: "r's parked events",
    });

    await fx.db.pool.query('DELETE FROM failing');
    const id = await requestRedrive(fx.db.pool, group(), fx.topic, 'r');
    const status = await waitFor(async () => {
      const current = await redriveRequestStatus(fx.db.pool, id);
      return current.done ? current : undefined;
    });
    assert.deepEqual(status, { id, done: true, redriven: 2, stoppedReason: null });

    await fx.produce('r', 44);
    await waitFor(async () => (await fx.effects()).filter((e) => e.key === 'r').length === 4);
    assert.deepEqual(
      (await fx.effects()).filter((e) => e.key === 'r').map((e) => e.seq),
      [41, 42, 43, 44],
    );
  });
});
