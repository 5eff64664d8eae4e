// The local stack's processes, as a fault scenario handles them: signals to
// a component by its pid file, Postgres stopped in a given mode, and
// `stack.sh up` to bring back whatever is down (it waits until healthy).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { delay } from '@eventline/observability';

export type Component = 'connect' | 'kafka' | 'registry';

const stackScript = new URL('../../scripts/stack/stack.sh', import.meta.url).pathname;

export const stateDir =
  process.env.STACK_STATE ??
  (process.getuid?.() === 0 ? '/var/lib/eventline' : `${process.env.HOME}/.local/state/eventline`);

export async function pidOf(component: Component): Promise<number> {
  return Number(await readFile(`${stateDir}/${component}.pid`, 'utf8'));
}

export async function signal(component: Component, name: NodeJS.Signals): Promise<number> {
  const pid = await pidOf(component);
  process.kill(pid, name);
  return pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for a process to exit; false when it is still there at the deadline. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      return false;
    }
    await delay(200);
  }
  return true;
}

/** Starts what is down and waits until every component is healthy. */
export function stackUp(): void {
  execFileSync('bash', [stackScript, 'up'], { stdio: 'ignore' });
}

/** pg_ctl stop in the given mode: 'fast' rolls back and disconnects, 'immediate' aborts. */
export function stopPostgres(mode: 'fast' | 'immediate'): void {
  const bin = postgresBinDir();
  const args = [`${bin}/pg_ctl`, '-D', `${stateDir}/postgres`, '-m', mode, '-w', 'stop'];
  if (process.getuid?.() === 0) {
    execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore' });
  } else {
    execFileSync(args[0] ?? 'pg_ctl', args.slice(1), { stdio: 'ignore' });
  }
}

function postgresBinDir(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  if (!newest) {
    throw new Error('no Postgres binaries under /usr/lib/postgresql');
  }
  return `/usr/lib/postgresql/${newest}/bin`;
}
