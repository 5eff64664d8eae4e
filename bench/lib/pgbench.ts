// pgbench as a reference: the binary the stack's Postgres ships with, a
// custom script run for a fixed number of transactions, and its summary
// parsed into numbers. A missing binary or an unexpected summary fails the
// run: a reference that silently vanished would leave a ratio of nothing.
import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgbenchResult {
  tps: number;
  processed: number;
  failed: number;
  latencyAverageMs: number;
}

export interface PgbenchRun {
  /** The script, in pgbench's language (\set, \gset, :variables). */
  script: string;
  /** A libpq connection URI, the database included. */
  url: string;
  clients: number;
  threads: number;
  transactionsPerClient: number;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The newest /usr/lib/postgresql/<v>/bin/pgbench, as scripts/stack picks its binaries, else PATH. */
export async function findPgbench(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const candidate = join(root, version, 'bin', 'pgbench');
    if (await executable(candidate)) {
      return candidate;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = join(dir, 'pgbench');
    if (await executable(candidate)) {
      return candidate;
    }
  }
  throw new Error(
    'pgbench not found in /usr/lib/postgresql/*/bin or on PATH; it ships with the Postgres ' +
      'server packages the stack runs (Debian: apt-get install postgresql)',
  );
}

export async function pgbenchVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version']);
  return /(\d+(?:\.\d+)+)/.exec(stdout)?.[1] ?? stdout.trim();
}

function numberAfter(output: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(output);
  const value = Number(match?.[1]);
  if (!match || !Number.isFinite(value)) {
    throw new Error(`pgbench printed no ${what}; its output was:\n${output}`);
  }

  return value;
}

/** Parses pgbench's summary; exported for its own sake, since pgbench's wording moves by release. */
export function parsePgbenchSummary(output: string): PgbenchResult {
  // Since Postgres 14 one tps line is printed ("without initial connection
  // time"); before, two ("including"/"excluding connections establishing").
  const tps =
    /^tps = ([\d.]+) \(without initial connection time\)/m.exec(output)?.[1] ??
    /^tps = ([\d.]+) \(excluding connections establishing\)/m.exec(output)?.[1] ??
    /^tps = ([\d.]+)/m.exec(output)?.[1];
  if (tps === undefined) {
    throw new Error(`pgbench printed no tps line; its output was:\n${output}`);
  }

  const failedLine = /^number of failed transactions: (\d+)/m.exec(output);
  return {
    tps: Number(tps),
    processed: numberAfter(
      output,
      /^number of transactions actually processed: (\d+)/m,
      'processed count',
    ),
    failed: failedLine ? Number(failedLine[1]) : 0,
    latencyAverageMs: numberAfter(output, /^latency average = ([\d.]+) ms/m, 'average latency'),
  };
}

/**
 * Runs `script` with the extended query protocol (what node-postgres uses for
 * parameterised queries). Fails when pgbench fails or when fewer transactions
 * than asked for completed.
 */
export async function runPgbench(binary: string, options: PgbenchRun): Promise<PgbenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'eventline-pgbench-'));
  try {
    const scriptFile = join(dir, 'transaction.sql');
    await writeFile(scriptFile, options.script);
    const url = new URL(options.url);
    const password = decodeURIComponent(url.password);
    url.password = '';
    const { stdout, stderr } = await run(
      binary,
      [
        '--no-vacuum',
        '--protocol=extended',
        `--client=${options.clients}`,
        `--jobs=${options.threads}`,
        `--transactions=${options.transactionsPerClient}`,
        `--file=${scriptFile}`,
        url.toString(),
      ],
      {
        // The password travels in the environment, not on a command line others can read.
        env: { ...process.env, PGPASSWORD: password },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: unknown) => {
      const detail = error as { stderr?: string; stdout?: string };
      throw new Error(
        `pgbench failed: ${String(error)}\n${detail.stdout ?? ''}\n${detail.stderr ?? ''}`,
      );
    });
    const result = parsePgbenchSummary(`${stdout}\n${stderr}`);
    const expected = options.clients * options.transactionsPerClient;
    if (result.processed !== expected || result.failed > 0) {
      throw new Error(
        `pgbench processed ${result.processed} of ${expected} transactions ` +
          `(${result.failed} failed):\n${stdout}\n${stderr}`,
      );
    }

    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
