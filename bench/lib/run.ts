// What the benchmarks of the whole pipeline share: ordered cleanup, the
// component versions recorded with each result, percentiles, and writing a
// result where bench/report.ts gathers it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { stackEndpoints } from '@eventline/testkit';
import type { Kafka } from 'kafkajs';

/** Cleanup steps run last-first; a failing step is reported and fails the run, not the others. */
export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  async runAll(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        process.exitCode = 1;
        process.stderr.write(`cleanup failed: ${step.what}: ${String(error)}\n`);
      }
    }
  }
}

/**
 * Runs `body` with a Cleanup that runs whatever happens, an interrupt
 * included: a benchmark stopped by Ctrl-C or SIGTERM would otherwise leave its
 * connector, replication slot (holding WAL), topics and database behind.
 */
export async function withCleanup(body: (cleanup: Cleanup) => Promise<void>): Promise<void> {
  const cleanup = new Cleanup();
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: cleaning up before exiting\n`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await body(cleanup);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanup.runAll();
  }
}

/** A benchmark's options: integers (each >= 1) and strings, with their defaults. */
export function benchArgs<Ints extends string, Strings extends string = never>(
  integers: Record<Ints, number>,
  strings = {} as Record<Strings, string>,
): Record<Ints, number> & Record<Strings, string> {
  const options: Record<string, { type: 'string'; default: string }> = {};
  for (const [name, value] of [...Object.entries(integers), ...Object.entries(strings)]) {
    options[name] = { type: 'string', default: `${String(value)}` };
  }
  const { values } = parseArgs({ options });
  const out = {} as Record<string, number | string>;
  for (const name of Object.keys(strings)) {
    out[name] = String(values[name] ?? '');
  }
  for (const name of Object.keys(integers)) {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} must be an integer >= 1, got ${String(values[name])}`);
    }
    out[name] = value;
  }
  return out as Record<Ints, number> & Record<Strings, string>;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return 0;
  }

  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** Node, kafkajs, and the broker and Debezium releases the stack runs. */
export async function componentVersions(): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  const kafkajs = require('kafkajs/package.json') as { version: string };
  // The broker does not report its release over the protocol: these are the
  // releases the local stack scripts run (docker-compose.yml pins its own).
  const stack = await readFile(new URL('../../scripts/stack/versions.sh', import.meta.url), 'utf8');
  const pinned = (name: string) =>
    new RegExp(`^${name}=(\\S+)$`, 'm').exec(stack)?.[1] ?? 'unknown';
  const versions: Record<string, string> = {
    node: process.version,
    kafkajs: kafkajs.version,
    kafka: pinned('KAFKA_VERSION'),
    debezium: pinned('DEBEZIUM_VERSION'),
  };
  // Connect reports its own release, which is the runtime actually measured.
  try {
    const response = await fetch(stackEndpoints().connectUrl);
    const body = (await response.json()) as { version?: string };
    if (body.version) {
      versions.connect = body.version;
    }
  } catch {
    // Versions are descriptive; the benchmark itself fails later if Connect is down.
  }
  return versions;
}

export async function writeResult(name: string, result: object): Promise<void> {
  const dir = new URL('../results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  await writeFile(new URL(`${name}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Deletes every topic whose name contains `marker` (the run's unique prefix:
 * its topics, dead letters and the connector's heartbeat topic). A client of
 * its own, because the run's clients may have lost their connections by then.
 */
export async function deleteTopicsContaining(kafka: Kafka, marker: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((topic) => topic.includes(marker));
    if (mine.length > 0) {
      await admin.deleteTopics({ topics: mine });
    }
  } finally {
    await admin.disconnect();
  }
}
