// `make faults`: fault scenarios on the local stack, each several times,
// under a steady load; after each run a checker asserts the invariants of
// ARCHITECTURE.md (no lost event, no duplicate effect, per-key order, every
// saga terminal, stock and payments reconciled). Prints a report, writes
// bench/results/faults.json and faults.md, and exits 1 on any violation.
// Local stack only: it kills, stops and freezes the stack's own processes.
//
//   node --import tsx bench/faults/run.ts [--runs 2] [--events 2000] [--orders 150]
//        [--only connect-kill,poison]
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { infrastructureScenarios } from './infra';
import type { Outcome, Scenario } from './outcome';
import { sagaScenarios } from './saga';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    events: { type: 'string', default: '2000' },
    orders: { type: 'string', default: '150' },
    only: { type: 'string' },
  },
});
const runs = Number(args.runs);
const only = args.only ? new Set(args.only.split(',')) : undefined;

const scenarios: [string, Scenario, number][] = [
  ...Object.entries(infrastructureScenarios).map(([name, scenario]): [string, Scenario, number] => [
    name,
    scenario,
    Number(args.events),
  ]),
  ...Object.entries(sagaScenarios).map(([name, scenario]): [string, Scenario, number] => [
    name,
    scenario,
    Number(args.orders),
  ]),
];
if (only) {
  const unknown = [...only].filter((name) => !scenarios.some(([known]) => known === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${scenarios.map(([n]) => n).join(', ')}`,
    );
  }
}

const outcomes: Outcome[] = [];
for (const [name, scenario, events] of scenarios) {
  if (only && !only.has(name)) {
    continue;
  }
  for (let run = 1; run <= runs; run++) {
    const started = Date.now();
    const outcome = await scenario(run, { events }).catch((error: unknown): Outcome => ({
      scenario: name,
      run,
      faults: 0,
      checked: 0,
      violations: [`the run failed: ${error instanceof Error ? error.message : String(error)}`],
      details: {},
    }));
    outcome.details.seconds = Math.round((Date.now() - started) / 1000);
    outcomes.push(outcome);
    process.stdout.write(
      `${name} run ${run}: ${outcome.faults} faults, ${outcome.checked} checked, ` +
        `${outcome.violations.length === 0 ? 'no violation' : outcome.violations.join('; ')} ` +
        `(${outcome.details.seconds} s)\n`,
    );
  }
}

function markdown(all: Outcome[]): string {
  const names = [...new Set(all.map((o) => o.scenario))];
  const lines = [
    '| scenario | runs | faults injected | events or sagas checked | violations |',
    '|---|---:|---:|---:|---|',
  ];
  for (const name of names) {
    const of = all.filter((o) => o.scenario === name);
    const violations = of.flatMap((o) => o.violations.map((v) => `run ${o.run}: ${v}`));
    lines.push(
      `| ${name} | ${of.length} | ${of.reduce((n, o) => n + o.faults, 0)} | ` +
        `${of.reduce((n, o) => n + o.checked, 0)} | ${violations.length === 0 ? 'none' : violations.join('<br>')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const results = new URL('../results/', import.meta.url);
await mkdir(results, { recursive: true });
await writeFile(new URL('faults.json', results), `${JSON.stringify(outcomes, null, 2)}\n`);
await writeFile(new URL('faults.md', results), markdown(outcomes));
process.stdout.write(`\n${markdown(outcomes)}`);
const violations = outcomes.reduce((n, o) => n + o.violations.length, 0);
process.stdout.write(`faults: ${outcomes.length} runs, ${violations} violations\n`);
process.exitCode = violations === 0 ? 0 : 1;
