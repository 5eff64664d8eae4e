// The saga fault scenarios (issue 7): the order system under a steady load
// of orders while the orchestrator is killed at step boundaries, a
// participant is down past its deadline, or replies come twice and out of
// order; then saga-check.ts asserts the invariants. run.ts registers them;
// run one alone with:
//
//   node --import tsx bench/faults/saga.ts [--only orchestrator-kill] [--events 40] [--runs 1]
//   node --import tsx bench/faults/saga.ts --prove-checker --events 15   (the checker bites)
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { delay } from '@eventline/observability';
import { testKafka, uniqueName, waitFor } from '@eventline/testkit';

import type { Outcome, Scenario } from './outcome';
import { checkSagas } from './saga-check';
import { proveChecker } from './saga-check-proof';
import { groupLag, startReplyDuplicator } from './saga-replies';
import { orchestratorProcess, startSagaWorld } from './saga-world';

/** How long every saga has to end once the faults stop. */
const settleMs = 240_000;

/**
 * kill -9 the orchestrator (its own process) right after a saga transition
 * commits, before its consumer commits the offset, again and again under
 * load; a new one starts each time.
 */
export const orchestratorKill: Scenario = async (run, { events }) => {
  const world = await startSagaWorld({ external: ['saga'] });
  const log = join(tmpdir(), `${uniqueName('saga_kill')}.log`);
  const orchestrator = orchestratorProcess(
    world.system,
    { SAGA_STEP_DEADLINE_MS: '8000', CONSUMER_SESSION_TIMEOUT_MS: '6000' },
    log,
  );
  const transitionsOf = async (kind: string) =>
    (
      await world.system.databases.saga.pool
        .query<{ n: number }>('SELECT count(*)::int AS n FROM saga_transitions WHERE kind = $1', [
          kind,
        ])
        .catch(() => ({ rows: [{ n: -1 }] }))
    ).rows[0]?.n ?? -1;
  // Each kill waits for the next transition of one kind, in turn: a saga
  // started, a step's reply moved it on, a compensation was confirmed.
  const boundaries = ['STEP_SUCCEEDED', 'STARTED', 'COMPENSATION_CONFIRMED', 'STEP_FAILED'];
  const killedAfter: string[] = [];
  const killedAt: number[] = [];
  const kills = Math.max(4, Math.round(events / 25));
  let faults = 0;
  try {
    orchestrator.start();
    const loading = world.placeOrders(events, 150);
    for (let i = 0; i < kills; i++) {
      const kind = boundaries[(i + run) % boundaries.length] ?? 'STARTED';
      const wanted = (await transitionsOf(kind)) + 1;
      const until = Date.now() + 30_000;
      while ((await transitionsOf(kind)) < wanted && Date.now() < until) {
        await delay(10);
      }
      await orchestrator.kill();
      killedAt.push(Date.now());
      faults++;
      killedAfter.push((await transitionsOf(kind)) >= wanted ? kind : `${kind}(none in 30 s)`);
      orchestrator.start();
    }
    await loading;
    const verdict = await checkSagas(world, settleMs);
    // Steps timed out while no orchestrator was reading replies: the kill's doing, not a participant's.
    const timeouts = await world.system.databases.saga.pool.query<{ at: Date }>(
      "SELECT at FROM saga_transitions WHERE kind = 'STEP_TIMED_OUT'",
    );
    const afterKill = timeouts.rows.filter((t) =>
      killedAt.some((k) => t.at.getTime() >= k && t.at.getTime() <= k + 15_000),
    ).length;
    return outcome('orchestrator-kill', run, faults, verdict, {
      timeoutsWithin15sOfAKill: afterKill,
      killedAfter: killedAfter.join(' '),
      log,
    });
  } finally {
    await orchestrator.stop();
    await world.close();
  }
};

/**
 * The payment service stopped for 2.5 AuthorizePayment deadlines under load
 * (twice in a longer run): the sagas it catches time out and compensate;
 * when it is back it handles AuthorizePayment late, and the refund after it.
 */
export const participantDown: Scenario = async (run, { events }) => {
  const deadlineMs = 3_000;
  const world = await startSagaWorld({
    saga: { stepDeadlineMs: deadlineMs, deadlineIntervalMs: 250 },
  });
  const kafka = testKafka(`${world.topicPrefix}lag`);
  const ended = async () =>
    (
      await world.system.databases.saga.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM saga_instances WHERE state IN ('COMPLETED', 'COMPENSATED')",
      )
    ).rows[0]?.n ?? 0;
  // Each outage starts once a share of the sagas has ended, so that some
  // finish before it, some are caught by it, and some start after it.
  const outageAfter = events >= 100 ? [events / 6, events / 2] : [events / 6];
  const outages: string[] = [];
  let faults = 0;
  try {
    const loading = world.placeOrders(events, 150);
    for (const share of outageAfter) {
      await waitFor(async () => (await ended()) >= share, {
        what: `${share} sagas to end before the outage`,
        timeoutMs: 120_000,
        intervalMs: 50,
      });
      const stoppedAt = Date.now();
      await world.system.stop('payments');
      faults++;
      await delay(deadlineMs * 2.5);
      await world.system.start('payments');
      outages.push(`${stoppedAt}-${Date.now()}`);
    }
    await loading;
    // The late replies are in only when the payment service and the saga have read everything.
    const verdict = await checkSagas(world, settleMs, async () => {
      const commands = await groupLag(kafka, `${world.topicPrefix}payment-service`, [
        `${world.topicPrefix}payments.commands`,
      ]);
      const replies = await groupLag(kafka, `${world.topicPrefix}order-saga`, [
        `${world.topicPrefix}payments.events`,
      ]);
      return commands === 0 && replies === 0;
    });
    const caught = await world.system.databases.saga.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM saga_instances
        WHERE abort_reason = 'STEP_TIMED_OUT' AND abort_step = 1`,
    );
    const caughtSagas = caught.rows[0]?.n ?? 0;
    if (caughtSagas === 0) {
      verdict.violations.push('the outage caught no saga in its payment step: nothing was tested');
    }
    // When the steps timed out, in seconds from the first outage: the payment
    // step's inside the outages, the stock step's tell how slow the stack was.
    const timeouts = await world.system.databases.saga.pool.query<{ step: string; at: Date }>(
      "SELECT step_name AS step, at FROM saga_transitions WHERE kind = 'STEP_TIMED_OUT' ORDER BY at",
    );
    const origin = Number(outages[0]?.split('-')[0] ?? Date.now());
    const when = (step: string) =>
      timeouts.rows
        .filter((t) => t.step === step)
        .map((t) => ((t.at.getTime() - origin) / 1000).toFixed(1))
        .join(' ');
    return outcome('participant-down', run, faults, verdict, {
      caughtSagas,
      outagesSeconds: outages
        .map((o) =>
          o
            .split('-')
            .map((t) => ((Number(t) - origin) / 1000).toFixed(1))
            .join('..'),
        )
        .join(' '),
      paymentTimeoutsAt: when('authorize-payment'),
      stockTimeoutsAt: when('reserve-stock'),
    });
  } finally {
    await world.close();
  }
};

/**
 * Copies of the participants' replies, newest first, produced again while
 * the orders flow and once more at the end over the whole history.
 */
export const duplicatedReplies: Scenario = async (run, { events }) => {
  // Deadlines long enough that the copies meet sagas still waiting, not ones a slow stack timed out.
  const world = await startSagaWorld({ saga: { stepDeadlineMs: 30_000 } });
  const kafka = testKafka(`${world.topicPrefix}lag`);
  const replyTopics = [
    `${world.topicPrefix}inventory.events`,
    `${world.topicPrefix}payments.events`,
  ];
  const duplicator = await startReplyDuplicator(replyTopics, `${world.topicPrefix}dup`);
  let faults = 0;
  let loading = true;
  try {
    const injecting = (async () => {
      while (loading) {
        await delay(700);
        faults += await duplicator.injectWindow();
      }
    })();
    await world.placeOrders(events, 100);
    // Keep copying while the last sagas run, then the whole history once, newest first.
    await checkSagas(world, 60_000);
    loading = false;
    await injecting;
    faults += await duplicator.injectWindow();
    faults += await duplicator.injectAll();
    const verdict = await checkSagas(
      world,
      settleMs,
      async () => (await groupLag(kafka, `${world.topicPrefix}order-saga`, replyTopics)) === 0,
    );
    return outcome('duplicated-replies', run, faults, verdict, {
      sameIdCopies: duplicator.sameIdCopies(),
      freshIdCopies: duplicator.freshIdCopies(),
      // Same-id copies end at the inbox; fresh-id ones reach the saga, which ignores them.
      inboxDuplicates: await counter(
        world.system.sagaUrl,
        'eventline_consumer_duplicates_total',
        'handler="saga:',
      ),
      repliesIgnored: await counter(world.system.sagaUrl, 'eventline_saga_replies_ignored_total'),
    });
  } finally {
    loading = false;
    await duplicator.stop();
    await world.close();
  }
};

/** A counter of the in-process orchestrator's /metrics, summed over the series whose labels match. */
async function counter(sagaUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${sagaUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labels))
    .reduce((n, line) => n + Number(line.split(' ').at(-1)), 0);
}

function outcome(
  scenario: string,
  run: number,
  faults: number,
  verdict: Awaited<ReturnType<typeof checkSagas>>,
  extra: Record<string, number | string>,
): Outcome {
  return {
    scenario,
    run,
    faults,
    checked: verdict.checked,
    violations: verdict.violations,
    details: { ...verdict.details, ...extra },
  };
}

export const sagaScenarios: Record<string, Scenario> = {
  'orchestrator-kill': orchestratorKill,
  'participant-down': participantDown,
  'duplicated-replies': duplicatedReplies,
};

// Run alone only when this file is the entry point, not when run.ts imports it.
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      events: { type: 'string', default: '40' },
      runs: { type: 'string', default: '1' },
      'prove-checker': { type: 'boolean', default: false },
    },
  });
  let violations = 0;
  if (values['prove-checker']) {
    const world = await startSagaWorld();
    try {
      await world.placeOrders(Number(values.events), 100);
      const misses = await proveChecker(world);
      violations += misses.length;
      process.stdout.write(
        misses.length === 0
          ? 'checker proof: every tampered invariant was reported\n'
          : `checker proof: ${misses.join('; ')}\n`,
      );
    } finally {
      await world.close();
    }
  }
  for (const [name, scenario] of Object.entries(sagaScenarios)) {
    if ((values.only && values.only !== name) || values['prove-checker']) {
      continue;
    }
    for (let run = 1; run <= Number(values.runs); run++) {
      const started = Date.now();
      const result = await scenario(run, { events: Number(values.events) });
      violations += result.violations.length;
      process.stdout.write(
        `${name} run ${run}: ${result.faults} faults, ${result.checked} sagas checked, ` +
          `${(Date.now() - started) / 1000} s, ` +
          `${result.violations.length === 0 ? 'no violation' : result.violations.join('; ')}\n` +
          `  ${JSON.stringify(result.details)}\n`,
      );
    }
  }
  process.exitCode = violations === 0 ? 0 : 1;
}
