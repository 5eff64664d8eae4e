import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { createConsumerFixture, type ConsumerFixture } from './fixture';

// A consumer process killed with SIGKILL between a handler's database commit
// and the commit of that offset, then restarted: the redelivered events are
// skipped by the inbox, so every event has exactly one effect. The restarted
// process is then stopped with SIGTERM and must leave its offsets committed.

const worker = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const keys = Array.from({ length: 10 }, (_, i) => `key-${i}`);
const perKey = 20;
let fx: ConsumerFixture;

before(async () => {
  fx = await createConsumerFixture('t_crash');
  for (let seq = 1; seq <= perKey; seq++) {
    for (const key of keys) {
      await fx.produce(key, seq);
    }
  }
});

after(async () => {
  await fx?.close();
});

function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', worker], {
    env: {
      ...process.env,
      EVENTLINE_TEST_DB: fx.db.name,
      EVENTLINE_TEST_GROUP: `${fx.db.name}-group`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

test('a consumer killed between its database commit and its offset commit loses and doubles nothing', async () => {
  const crashing = startWorker({ CRASH_AFTER: '57' });
  const [, signal] = (await once(crashing, 'exit')) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL', 'the worker killed itself mid-stream');
  const beforeRestart = (await fx.effects()).length;
  assert.ok(
    beforeRestart >= 57 && beforeRestart < keys.length * perKey,
    `${beforeRestart} effects`,
  );

  const restarted = startWorker({});
  try {
    await fx.waitForEffects(keys.length * perKey, 90_000);
  } finally {
    restarted.kill('SIGTERM');
  }
  const [code] = (await once(restarted, 'exit')) as [number | null];
  assert.equal(code, 0, 'SIGTERM stopped the worker gracefully');

  const effects = await fx.effects();
  assert.equal(effects.length, keys.length * perKey, 'no effect doubled');
  assert.equal(new Set(effects.map((e) => e.event_id)).size, effects.length);
  for (const key of keys) {
    assert.deepEqual(
      effects.filter((e) => e.key === key).map((e) => e.seq),
      Array.from({ length: perKey }, (_, i) => i + 1),
      `order of ${key}`,
    );
  }

  // The graceful stop committed the offsets of everything handled.
  assert.equal(await committedOffsets(), keys.length * perKey);
});

/** The group's committed offsets over all partitions (a missing one counts 0). */
async function committedOffsets(): Promise<number> {
  const admin = fx.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({
      groupId: `${fx.db.name}-group`,
      topics: [fx.topic],
    });
    return offsets?.partitions.reduce((total, p) => total + Math.max(0, Number(p.offset)), 0) ?? 0;
  } finally {
    await admin.disconnect();
  }
}
