// `make faults`: fault scenarios on the local stack, each several times,
// under load from the pipeline's generator; after each run the checker
// asserts the invariants (no lost event, no duplicate effect, per-key order).
// Prints a report and writes bench/results/faults.json. Exits 1 on any
// violation. Local stack only: it kills the stack's own processes.
//
//   node --import tsx bench/faults/run.ts [--runs 2] [--events 2000] [--only connect-kill]
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { stackEndpoints } from '@eventline/testkit';
import pg from 'pg';

import { startPipeline, type Verdict } from './pipeline';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    events: { type: 'string', default: '2000' },
    only: { type: 'string' },
  },
});
const runs = Number(args.runs);
const events = Number(args.events);
const stackScript = new URL('../../scripts/stack/stack.sh', import.meta.url).pathname;
const stateDir =
  process.env.STACK_STATE ??
  (process.getuid?.() === 0 ? '/var/lib/eventline' : `${process.env.HOME}/.local/state/eventline`);

interface Outcome extends Verdict {
  scenario: string;
  run: number;
  faults: number;
  violations: string[];
}

function violationsOf(verdict: Verdict, drained: boolean): string[] {
  const found: string[] = [];
  if (!drained || verdict.lost > 0) {
    found.push(`${verdict.lost} lost`);
  }
  if (verdict.duplicated > 0) {
    found.push(`${verdict.duplicated} duplicate effects`);
  }
  if (verdict.outOfOrderKeys > 0) {
    found.push(`${verdict.outOfOrderKeys} keys out of order`);
  }
  return found;
}

async function killConnect(): Promise<void> {
  const pid = Number(await readFile(`${stateDir}/connect.pid`, 'utf8'));
  process.kill(pid, 'SIGKILL');
  // stack.sh up starts what is down and waits until Connect answers.
  execFileSync('bash', [stackScript, 'up'], { stdio: 'ignore' });
}

/** kill -9 Kafka Connect three times while events are written; restart it each time. */
async function connectKill(run: number): Promise<Outcome> {
  const pipeline = await startPipeline(`connect_kill_${run}`);
  let faults = 0;
  try {
    // Spread the writes over about eight seconds, so that the kills land mid-stream.
    const writing = pipeline.generate(events, 10, Math.max(1, Math.floor(8000 / (events / 10))));
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await killConnect();
      faults++;
    }
    await writing;
    const drained = await pipeline.drained(180_000);
    const verdict = await pipeline.check();
    return {
      scenario: 'connect-kill',
      run,
      faults,
      ...verdict,
      violations: violationsOf(verdict, drained),
    };
  } finally {
    await pipeline.close();
  }
}

/** No writes for 35 s: heartbeats must still move the slot's confirmed position. */
async function idleHeartbeat(run: number): Promise<Outcome> {
  const pipeline = await startPipeline(`idle_${run}`);
  const admin = new pg.Client({ connectionString: `${stackEndpoints().pgAdminUrl}/postgres` });
  await admin.connect();
  try {
    await pipeline.generate(20);
    const drained = await pipeline.drained(60_000);
    const lsn = async () =>
      (
        await admin.query<{ lsn: string }>(
          'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
          [pipeline.db.name],
        )
      ).rows[0]?.lsn ?? '';
    const before = await lsn();
    const deadline = Date.now() + 35_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      after = await lsn();
    }
    const verdict = await pipeline.check();
    const violations = violationsOf(verdict, drained);
    if (after === before) {
      violations.push(`slot did not advance from ${before} in 35 s without writes`);
    }
    return { scenario: 'idle-heartbeat', run, faults: 0, ...verdict, violations };
  } finally {
    await admin.end();
    await pipeline.close();
  }
}

const scenarios: Record<string, (run: number) => Promise<Outcome>> = {
  'connect-kill': connectKill,
  'idle-heartbeat': idleHeartbeat,
};

const outcomes: Outcome[] = [];
for (const [name, scenario] of Object.entries(scenarios)) {
  if (args.only && args.only !== name) {
    continue;
  }
  for (let run = 1; run <= runs; run++) {
    const outcome = await scenario(run);
    outcomes.push(outcome);
    process.stdout.write(
      `${name} run ${run}: ${outcome.faults} faults, ${outcome.generated} events, ${outcome.effects} effects, ` +
        `${outcome.violations.length === 0 ? 'no violation' : outcome.violations.join(', ')}\n`,
    );
  }
}

await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('../results/faults.json', import.meta.url),
  `${JSON.stringify(outcomes, null, 2)}\n`,
);
const violations = outcomes.reduce((n, o) => n + o.violations.length, 0);
process.stdout.write(`faults: ${outcomes.length} runs, ${violations} violations\n`);
process.exitCode = violations === 0 ? 0 : 1;
