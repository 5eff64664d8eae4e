import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@eventline/testkit';

import type { EventConsumer } from '../src/index';
import type { EventTypes } from '@eventline/schemas';

import { createConsumerFixture, type ConsumerFixture } from './fixture';

// The consumer runtime on real Kafka and Postgres: idempotent effects,
// per-key order through parking and re-drive, undecodable payloads.

describe('the event consumer', () => {
  let fx: ConsumerFixture;
  let consumer: EventConsumer<EventTypes>;
  const groupId = () => `${fx.db.name}-group`;

  before(async () => {
    fx = await createConsumerFixture('t_consumer');
    consumer = fx.consumer(groupId());
    await consumer.start();
  });

  after(async () => {
    await consumer?.stop();
    await fx?.close();
  });

  test('the same event delivered three times has its effect once', async () => {
    const id = randomUUID();
    for (let i = 0; i < 3; i++) {
      await fx.produce('dup', 1, id);
    }
    const marker = await fx.produce('dup', 2);
    await waitFor(async () => (await fx.effects()).some((e) => e.event_id === marker), {
      what: 'the marker effect',
    });

    // Rewind the group to the start and let it read everything again.
    await consumer.stop();
    const admin = fx.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: groupId(), topic: fx.topic, earliest: true });
    await admin.disconnect();
    consumer = fx.consumer(groupId());
    await consumer.start();
    const second = await fx.produce('dup', 3);
    await waitFor(async () => (await fx.effects()).some((e) => e.event_id === second), {
      what: 'the effect after the rewind',
    });

    const effects = (await fx.effects()).filter((e) => e.key === 'dup');
    assert.deepEqual(
      effects.map((e) => e.seq),
      [1, 2, 3],
      'each event of the key had one effect, in order',
    );
  });

  test('a failing event parks its key behind it while other keys go on; re-drive applies in order', async () => {
    await fx.db.pool.query('INSERT INTO failing (seq) VALUES (102)');
    for (const seq of [101, 102, 103, 104]) {
      await fx.produce('K', seq);
    }
    for (const seq of [111, 112, 113]) {
      await fx.produce('L', seq);
    }

    await waitFor(async () => (await consumer.parked({ key: 'K' })).length === 3, {
      what: "K's three parked events",
    });
    await waitFor(async () => (await fx.effects()).filter((e) => e.key === 'L').length === 3, {
      what: "L's effects",
    });
    const parked = await consumer.parked({ key: 'K' });
    assert.deepEqual(
      parked.map((p) => p.reason),
      ['HANDLER_FAILED', 'BEHIND_PARKED_KEY', 'BEHIND_PARKED_KEY'],
    );
    assert.equal(parked[0]?.error_message, 'seq 102 is marked failing');
    assert.deepEqual(
      (await fx.effects()).filter((e) => e.key === 'K').map((e) => e.seq),
      [101],
    );

    // The cause is fixed; the key's events apply in order and the key flows again.
    await fx.db.pool.query('DELETE FROM failing');
    const result = await consumer.redrive(fx.topic, 'K');
    assert.deepEqual(result, { redriven: 3 });
    await fx.produce('K', 105);
    await waitFor(async () => (await fx.effects()).filter((e) => e.key === 'K').length === 5, {
      what: "K's fifth effect",
    });
    assert.deepEqual(
      (await fx.effects()).filter((e) => e.key === 'K').map((e) => e.seq),
      [101, 102, 103, 104, 105],
    );
    assert.equal((await consumer.parked({ key: 'K' })).length, 0);
  });

  test('a payload with a wrong magic byte or an unknown schema id is parked with its reason', async () => {
    await fx.produceRaw('bad-magic', Buffer.from([7, 0, 0, 0, 1, 2]));
    await fx.produceRaw('bad-id', Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 2]));
    const after = await fx.produce('good', 201);

    await waitFor(async () => (await fx.effects()).some((e) => e.event_id === after), {
      what: 'the event after the bad ones',
    });
    const bad = await waitFor(async () => {
      const rows = (await consumer.parked({ reason: 'UNDECODABLE' })).filter((p) =>
        p.message_key.startsWith('bad-'),
      );
      return rows.length === 2 ? rows : undefined;
    });
    const classes = Object.fromEntries(bad.map((p) => [p.message_key, p.error_class]));
    assert.deepEqual(classes, {
      'bad-magic': 'schema:NOT_FRAMED',
      'bad-id': 'schema:UNKNOWN_SCHEMA_ID',
    });
  });

  test('parked events are copied to the dead-letter topic with their reason', async () => {
    const dlq = fx.kafka.consumer({ groupId: `${groupId()}-dlq-reader` });
    const seen: Record<string, string>[] = [];
    await dlq.connect();
    await dlq.subscribe({ topic: `${fx.topic}.dlq`, fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        seen.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        );
      },
    });
    try {
      const badMagic = await waitFor(() => seen.find((h) => h['dlq.reason'] === 'UNDECODABLE'), {
        what: 'a dead letter',
      });
      assert.equal(badMagic['dlq.original.topic'], fx.topic);
      assert.equal(badMagic['dlq.group'], groupId());
      assert.match(badMagic['dlq.original.offset'] ?? '', /^\d+$/);
      assert.ok(badMagic['dlq.first.failure']);
    } finally {
      await dlq.disconnect();
    }
  });
});
