// Fault scenarios on the capture pipeline (outbox → Debezium → Kafka →
// idempotent consumer): the stack's own processes are killed, stopped and
// frozen under a steady load, and poison is put on the topic. After each run
// the pipeline's checker asserts no lost event, no duplicate effect, per-key
// order.
import { randomUUID } from 'node:crypto';

import { delay } from '@eventline/observability';
import { createCaptureLagMonitor, type SlotLag } from '@eventline/outbox';
import { createTestDatabase, testKafka } from '@eventline/testkit';
import { Partitioners } from 'kafkajs';

import type { Outcome, Scenario } from './outcome';
import { startPipeline, type Pipeline, type Verdict } from './pipeline';
import { signal, stackUp, stopPostgres, waitForExit } from './stack-control';

const drainTimeoutMs = 180_000;
// How long an idle slot may take to pass another database's writes: a
// heartbeat (heartbeat.interval.ms 10 s), then Debezium confirms what it read
// at its offset flushes (offset.flush.interval.ms 5 s). Measured 22-23 s.
const idleWindowMs = 50_000;

function outcomeOf(
  scenario: string,
  run: number,
  faults: number,
  verdict: Verdict,
  drained: boolean,
  extra: { violations?: string[]; details?: Record<string, number | string> } = {},
): Outcome {
  const violations: string[] = [];
  if (!drained || verdict.lost > 0) {
    violations.push(`${verdict.lost} committed events without an effect`);
  }
  if (verdict.duplicated > 0) {
    violations.push(`${verdict.duplicated} duplicate effects`);
  }
  if (verdict.phantom > 0) {
    violations.push(`${verdict.phantom} effects of events that never committed`);
  }
  if (verdict.outOfOrderKeys > 0) {
    violations.push(`${verdict.outOfOrderKeys} keys applied out of order`);
  }
  return {
    scenario,
    run,
    faults,
    checked: verdict.committed,
    violations: [...violations, ...(extra.violations ?? [])],
    details: { effects: verdict.effects, ...extra.details },
  };
}

/** Closes a pipeline; a failure here must not hide the run's own error. */
async function closeQuietly(pipeline: Pipeline): Promise<void> {
  await pipeline.close().catch((error: unknown) => {
    process.stderr.write(`could not clean up ${pipeline.db.name}: ${String(error)}\n`);
  });
}

/** A pace that spreads `events` over about `seconds`, ten to a transaction. */
function steady(events: number, seconds: number): { perTransaction: number; paceMs: number } {
  return { perTransaction: 10, paceMs: Math.max(1, Math.floor((seconds * 1000) / (events / 10))) };
}

/**
 * Runs a load of `events` over about eight seconds and injects `fault`
 * `times` while it runs, then waits for the pipeline to drain and checks it.
 */
function underLoad(
  name: string,
  times: number,
  fault: () => Promise<void>,
  pipelineName = name.replaceAll('-', '_'),
): Scenario {
  return async (run, { events }) => {
    const pipeline = await startPipeline(`${pipelineName}_${run}`);
    let faults = 0;
    try {
      const writing = pipeline.generate(events, steady(events, 8));
      for (let i = 0; i < times; i++) {
        await delay(1500);
        await fault();
        faults++;
      }
      await writing;
      const drained = await pipeline.drained(drainTimeoutMs);
      return outcomeOf(name, run, faults, await pipeline.check(), drained, {
        details: { writeRetries: pipeline.writeRetries() },
      });
    } finally {
      await closeQuietly(pipeline);
    }
  };
}

/** kill -9 Kafka Connect three times while events are written; restart it each time. */
const connectKill = underLoad('connect-kill', 3, async () => {
  await waitForExit(await signal('connect', 'SIGKILL'), 10_000);
  stackUp();
});

/** Stop Kafka Connect gracefully (SIGTERM) twice under load; start it again each time. */
const connectStop = underLoad('connect-stop', 2, async () => {
  const pid = await signal('connect', 'SIGTERM');
  await waitForExit(pid, 90_000);
  stackUp();
});

/** kill -9 the broker twice under load and restart it. */
const brokerKill = underLoad('broker-kill', 2, async () => {
  const pid = await signal('kafka', 'SIGKILL');
  await waitForExit(pid, 10_000);
  stackUp();
});

/** Stop Postgres (fast: sessions rolled back; immediate: no shutdown checkpoint) under load. */
const postgresStop = (mode: 'fast' | 'immediate'): Scenario =>
  underLoad(`postgres-stop-${mode}`, 2, async () => {
    stopPostgres(mode);
    stackUp();
  });

/**
 * SIGSTOP Kafka Connect while events are written: the slot's unconfirmed
 * WAL grows and the capture lag alert must be raised; after SIGCONT the
 * backlog drains and the alert clears.
 */
const connectFreeze: Scenario = async (run, { events }) => {
  const pipeline = await startPipeline(`freeze_${run}`);
  const lag = createCaptureLagMonitor({
    pool: pipeline.db.adminPool,
    slots: [pipeline.db.name],
    maxPendingBytes: 8 * 1024 * 1024,
    stalledAfterMs: 8_000,
  });
  const sampleUntil = async (wanted: (lag: SlotLag) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [sampled] = await lag.sample();
      if (sampled && wanted(sampled)) {
        return sampled;
      }
      await delay(500);
    }
    return undefined;
  };
  const violations: string[] = [];
  try {
    await pipeline.generate(20);
    await pipeline.drained(60_000);
    await lag.sample();

    await signal('connect', 'SIGSTOP');
    let raised: SlotLag | undefined;
    try {
      await pipeline.generate(events, steady(events, 4));
      raised = await sampleUntil((l) => l.alert !== null, 60_000);
    } finally {
      await signal('connect', 'SIGCONT');
    }
    if (!raised) {
      violations.push('the capture lag alert was not raised while Connect was frozen');
    }

    const drained = await pipeline.drained(drainTimeoutMs);
    const cleared = await sampleUntil((l) => l.alert === null, 90_000);
    if (!cleared) {
      violations.push('the capture lag alert did not clear after Connect resumed');
    }
    return outcomeOf('connect-freeze', run, 1, await pipeline.check(), drained, {
      violations,
      details: {
        alert: raised?.alert ?? 'none',
        pendingBytesAtAlert: raised?.pendingBytes ?? 0,
        stalledForMsAtAlert: raised?.stalledForMs ?? 0,
      },
    });
  } finally {
    await closeQuietly(pipeline);
  }
};

/**
 * The case heartbeats exist for: this database is idle while another one on
 * the same cluster writes WAL. Debezium only confirms positions of changes it
 * read, so without a change here the slot would keep that WAL; the heartbeat
 * query writes one, and the confirmed position must pass the other
 * database's writes. A control pipeline with heartbeats off runs beside it
 * and must not pass them, or the check would prove nothing.
 */
const idleHeartbeat: Scenario = async (run) => {
  const watched = await startPipeline(`idle_${run}`);
  const control = await startPipeline(`idle_control_${run}`, {
    connector: { 'heartbeat.interval.ms': '0' },
  });
  const busy = await createTestDatabase(`fault_idle_busy_${run}`);
  const violations: string[] = [];
  try {
    // The control is a whole pipeline so that its drain shows its connector
    // is alive: a slot that stays behind must be for want of heartbeats.
    await Promise.all([watched.generate(20), control.generate(20)]);
    const drained = (await watched.drained(60_000)) && (await control.drained(60_000));

    // About 8 MB of WAL in another database; the target is where it ends.
    await busy.pool.query('CREATE TABLE churn (id serial PRIMARY KEY, filler text)');
    await busy.pool.query(
      "INSERT INTO churn (filler) SELECT repeat('x', 1000) FROM generate_series(1, 8000)",
    );
    const target = (
      await busy.adminPool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
    ).rows[0]?.lsn;
    if (!target) {
      throw new Error('pg_current_wal_lsn() returned nothing');
    }

    const passed = async (pipeline: Pipeline) =>
      (
        await pipeline.db.adminPool.query<{ passed: boolean }>(
          `SELECT confirmed_flush_lsn >= $2::pg_lsn AS passed
             FROM pg_replication_slots WHERE slot_name = $1`,
          [pipeline.db.name, target],
        )
      ).rows[0]?.passed === true;
    const writtenAt = Date.now();
    const deadline = writtenAt + idleWindowMs;
    let watchedPassed = false;
    while (!watchedPassed && Date.now() < deadline) {
      await delay(1000);
      watchedPassed = await passed(watched);
    }
    const passedAfterMs = Date.now() - writtenAt;
    // The control gets the whole window, not just the time the watched took.
    await delay(Math.max(0, deadline - Date.now()));
    const controlPassed = await passed(control);
    if (!watchedPassed) {
      violations.push(
        `the slot's confirmed position did not pass ${target} within ${idleWindowMs / 1000} s of another database's writes`,
      );
    }
    if (controlPassed) {
      violations.push(
        "the control slot without heartbeats passed the other database's writes too: the check proves nothing",
      );
    }
    return outcomeOf('idle-heartbeat', run, 0, await watched.check(), drained, {
      violations,
      details: {
        target,
        watchedPassed: String(watchedPassed),
        passedAfterMs,
        controlPassed: String(controlPassed),
      },
    });
  } finally {
    await closeQuietly(watched);
    await closeQuietly(control);
    await busy.drop().catch(() => undefined);
  }
};

/**
 * Undecodable messages on two keys in the middle of the load: each parks its
 * key, the key's later events wait behind it while other keys go on. The
 * operator then discards the poison with a reason and re-drives the keys;
 * their events must apply in order.
 */
const poison: Scenario = async (run, { events }) => {
  const pipeline = await startPipeline(`poison_${run}`);
  const consumer = pipeline.consumer;
  const producer = testKafka(`${pipeline.db.name}-poison`).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const poisoned = [pipeline.keys[3] ?? 'key-3', pipeline.keys[7] ?? 'key-7'];
  const violations: string[] = [];
  try {
    if (!consumer) {
      throw new Error('the poison scenario needs the in-process consumer');
    }
    await pipeline.generate(Math.floor(events / 2), steady(events / 2, 3));
    await producer.send({
      topic: pipeline.topic,
      messages: poisoned.map((key) => ({
        key,
        value: Buffer.from(`not an Avro payload ${randomUUID()}`),
        headers: { id: randomUUID() },
      })),
    });
    await pipeline.generate(events - Math.floor(events / 2), steady(events / 2, 3));

    // Every event still missing must be one parked behind the poison.
    const deadline = Date.now() + drainTimeoutMs;
    let parkedBehind = 0;
    for (;;) {
      parkedBehind = (await consumer.parked({ reason: 'BEHIND_PARKED_KEY', state: 'parked' }))
        .length;
      const poisonParked = (await consumer.parked({ reason: 'UNDECODABLE' })).length;
      if (poisonParked === poisoned.length && (await pipeline.missing()) === parkedBehind) {
        break;
      }
      if (Date.now() > deadline) {
        violations.push('events other than those behind the poison did not arrive');
        break;
      }
      await delay(500);
    }
    const otherKeysWaiting = (await consumer.parked({ state: 'parked' })).filter(
      (row) => !poisoned.includes(row.message_key),
    ).length;
    if (otherKeysWaiting > 0) {
      violations.push(`${otherKeysWaiting} events of keys without poison were parked`);
    }

    for (const row of await consumer.parked({ reason: 'UNDECODABLE', state: 'parked' })) {
      await consumer.discard(row.id, 'fault scenario: poison message, not an event');
    }
    for (const key of poisoned) {
      const result = await consumer.redrive(pipeline.topic, key);
      if (result.stoppedAt) {
        violations.push(`re-drive of ${key} stopped: ${result.stoppedAt.reason}`);
      }
    }
    const drained = await pipeline.drained(60_000);
    return outcomeOf('poison', run, poisoned.length, await pipeline.check(), drained, {
      violations,
      details: { parkedBehindPoison: parkedBehind },
    });
  } finally {
    await producer.disconnect();
    await closeQuietly(pipeline);
  }
};

/**
 * The consumer as a process that kills itself with SIGKILL right after an
 * effect commits and before its offset does, three times under load; the
 * inbox must keep every effect single.
 */
const consumerKill: Scenario = async (run, { events }) => {
  const pipeline = await startPipeline(`consumer_kill_${run}`, { consumerProcess: true });
  let faults = 0;
  try {
    const writing = pipeline.generate(events, steady(events, 8));
    for (let i = 0; i < 3; i++) {
      const killAfter = 20 + Math.floor(Math.random() * Math.max(1, events / 8));
      const worker = await pipeline.startConsumerProcess(killAfter);
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // Fewer events than killAfter may be left: then it is killed from here.
      if ((await Promise.race([exited.then(() => true), delay(60_000)])) !== true) {
        worker.kill('SIGKILL');
        await exited;
      }
      faults++;
    }
    await writing;
    await pipeline.startConsumerProcess();
    const drained = await pipeline.drained(drainTimeoutMs);
    return outcomeOf('consumer-kill', run, faults, await pipeline.check(), drained);
  } finally {
    await closeQuietly(pipeline);
  }
};

export const infrastructureScenarios: Record<string, Scenario> = {
  'connect-kill': connectKill,
  'connect-stop': connectStop,
  'connect-freeze': connectFreeze,
  'broker-kill': brokerKill,
  'postgres-stop-fast': postgresStop('fast'),
  'postgres-stop-immediate': postgresStop('immediate'),
  'consumer-kill': consumerKill,
  poison,
  'idle-heartbeat': idleHeartbeat,
};
