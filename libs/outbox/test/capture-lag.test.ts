import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { LogFields, Logger } from '@eventline/observability';
import { createTestDatabase, waitFor, type TestDatabase } from '@eventline/testkit';
import { Registry } from 'prom-client';

import { createCaptureLagMonitor, type CaptureLagMonitor } from '../src/index';

// The capture lag alert on a real replication slot that nobody reads: WAL
// written after it is pending until the slot is advanced, as it would be
// while Kafka Connect is stopped.

let db: TestDatabase;
let slot: string;
const lines: { level: string; message: string; fields: LogFields }[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: (fields, message) => void lines.push({ level: 'info', message, fields }),
  warn: (fields, message) => void lines.push({ level: 'warn', message, fields }),
  error: (fields, message) => void lines.push({ level: 'error', message, fields }),
  child: () => logger,
};

before(async () => {
  db = await createTestDatabase('t_capture_lag');
  slot = db.name;
  await db.adminPool.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
  await db.pool.query('CREATE TABLE filler (id serial PRIMARY KEY, body text NOT NULL)');
});

after(async () => {
  await db?.adminPool.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
  await db?.drop();
});

async function writeWal(bytes: number): Promise<void> {
  const rows = Math.ceil(bytes / 1000);
  await db.pool.query(
    "INSERT INTO filler (body) SELECT repeat('x', 1000) FROM generate_series(1, $1)",
    [rows],
  );
}

async function advanceSlot(): Promise<void> {
  await db.adminPool.query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [slot]);
}

function monitor(options: { maxPendingBytes: number; stalledAfterMs: number }): {
  lag: CaptureLagMonitor;
  metrics: Registry;
} {
  const metrics = new Registry();
  const lag = createCaptureLagMonitor({
    pool: db.adminPool,
    slots: [slot],
    logger,
    metricsRegistry: metrics,
    ...options,
  });
  return { lag, metrics };
}

test('a slot that falls behind by more than the bound raises the alert, and it clears once the slot confirms', async () => {
  const { lag, metrics } = monitor({ maxPendingBytes: 256 * 1024, stalledAfterMs: 3_600_000 });
  await advanceSlot();
  assert.equal((await lag.sample())[0]?.alert, null);

  await writeWal(1024 * 1024);
  const [behind] = await lag.sample();
  assert.equal(behind?.alert, 'BEHIND');
  assert.ok((behind?.pendingBytes ?? 0) > 256 * 1024);
  assert.match(
    await metrics.metrics(),
    new RegExp(`eventline_capture_slot_alert\\{slot="${slot}"\\} 1`),
  );
  const raised = lines.filter((l) => l.level === 'error' && l.fields.slot === slot);
  assert.equal(raised.length, 1);
  assert.equal(raised[0]?.fields.reason, 'BEHIND');

  await advanceSlot();
  const [cleared] = await lag.sample();
  assert.equal(cleared?.alert, null);
  assert.match(
    await metrics.metrics(),
    new RegExp(`eventline_capture_slot_alert\\{slot="${slot}"\\} 0`),
  );
  assert.ok(lines.some((l) => l.level === 'info' && l.fields.slot === slot));
});

test('a slot whose confirmed position does not move while WAL is written is STALLED', async () => {
  const { lag } = monitor({ maxPendingBytes: 1024 * 1024 * 1024, stalledAfterMs: 1_500 });
  await advanceSlot();
  await lag.sample();
  await writeWal(10_000);

  const stalled = await waitFor(
    async () => {
      const [sampled] = await lag.sample();
      return sampled?.alert === 'STALLED' ? sampled : undefined;
    },
    { what: 'the slot to be reported STALLED', timeoutMs: 15_000 },
  );
  assert.ok(stalled.stalledForMs >= 1_500);

  await advanceSlot();
  assert.equal((await lag.sample())[0]?.alert, null);
});

test('an invalid option is refused with its name', () => {
  assert.throws(
    () => createCaptureLagMonitor({ pool: db.adminPool, intervalMs: 0 }),
    /intervalMs must be a positive number/,
  );
});
