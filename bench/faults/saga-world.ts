// The order system a saga fault scenario runs on, and the load it carries:
// orders POSTed at a steady pace, each with an Idempotency-Key of its own
// (some POSTed twice with it, as a client retry would), every fifth from a
// customer whose payment limit declines it. What was sent is kept for the
// checker (saga-check.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { delay } from '@eventline/observability';

import {
  startOrderSystem,
  type OrderSystem,
  type OrderSystemOptions,
} from '../../apps/order-saga/test/system';

export const skus = ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'];

export interface PlacedOrder {
  idempotencyKey: string;
  customerId: string;
  /** The payment rules decline this customer (limit of 0.01). */
  declining: boolean;
  lines: { sku: string; quantity: number }[];
  /** Every order id the API answered for this key (a retry must answer the same one). */
  answeredIds: string[];
  /** POSTs for this key that did not get a 2xx (a 5xx is retried with the key). */
  failures: string[];
}

export interface StockRow {
  available: number;
  reserved: number;
}

export interface SagaWorld {
  system: OrderSystem;
  topicPrefix: string;
  stockBefore: Record<string, StockRow>;
  placed: PlacedOrder[];
  /**
   * POSTs `count` orders, one every `paceMs`; `onPlaced` runs after each
   * (a scenario injects its faults from there).
   */
  placeOrders(
    count: number,
    paceMs: number,
    onPlaced?: (n: number) => Promise<void>,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startSagaWorld(options: OrderSystemOptions = {}): Promise<SagaWorld> {
  const system = await startOrderSystem(options);
  const topicPrefix = system.processEnv('saga').TOPIC_PREFIX ?? '';
  const stockBefore = await readStock(system);
  const placed: PlacedOrder[] = [];
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;

  /**
   * POSTs the order as a careful client does: a 5xx or a lost connection is
   * retried with the same Idempotency-Key, for up to a minute.
   */
  async function post(order: PlacedOrder): Promise<void> {
    const giveUpAt = Date.now() + 60_000;
    for (;;) {
      const response = await fetch(`${system.apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': order.idempotencyKey },
        body: JSON.stringify({
          customerId: order.customerId,
          currency: 'EUR',
          items: order.lines.map((line) => ({ ...line, unitPrice: 100 })),
        }),
      }).catch((error: unknown) => error as Error);
      if (!(response instanceof Error) && response.ok) {
        order.answeredIds.push(((await response.json()) as { id: string }).id);
        return;
      }
      const failure =
        response instanceof Error
          ? response.message
          : `${response.status} ${await response.text()}`;
      order.failures.push(failure);
      const retryable = response instanceof Error || response.status >= 500;
      if (!retryable || Date.now() > giveUpAt) {
        return;
      }
      await delay(500);
    }
  }

  /** Sets the declining customer's limit, retrying for a minute while Postgres is away. */
  async function limitCustomer(order: PlacedOrder): Promise<boolean> {
    const giveUpAt = Date.now() + 60_000;
    for (;;) {
      const limited = await system.databases.payments.pool
        .query('INSERT INTO customer_limits (customer_id, limit_minor) VALUES ($1, 1)', [
          order.customerId,
        ])
        .catch((error: unknown) => error as Error);
      if (!(limited instanceof Error)) {
        return true;
      }
      order.failures.push(`customer limit not set: ${limited.message}`);
      if (Date.now() > giveUpAt) {
        return false;
      }
      await delay(500);
    }
  }

  async function placeOne(n: number): Promise<void> {
    const first = skus[n % skus.length] ?? 'SKU-1';
    const second = skus[(n + 2) % skus.length] ?? 'SKU-3';
    const lines = [{ sku: first, quantity: 1 + (n % 3) }];
    if (n % 4 === 0) {
      lines.push({ sku: second, quantity: 1 + (n % 2) });
    }
    const order: PlacedOrder = {
      idempotencyKey: randomUUID(),
      customerId: randomUUID(),
      declining: n % 5 === 4,
      lines,
      answeredIds: [],
      failures: [],
    };
    placed.push(order);
    if (order.declining && !(await limitCustomer(order))) {
      return;
    }
    // Every seventh order is retried at once with the same key, racing its first POST.
    await Promise.all(n % 7 === 3 ? [post(order), post(order)] : [post(order)]);
  }

  return {
    system,
    topicPrefix,
    stockBefore,
    placed,
    async placeOrders(count, paceMs, onPlaced) {
      for (let n = 0; n < count; n++) {
        const posting = placeOne(sequence++).finally(() => inFlight.delete(posting));
        inFlight.add(posting);
        await onPlaced?.(n);
        await new Promise((resolve) => setTimeout(resolve, paceMs));
      }
      await Promise.all(inFlight);
    },
    close: () => system.close(),
  };
}

export async function readStock(system: OrderSystem): Promise<Record<string, StockRow>> {
  const { rows } = await system.databases.inventory.pool.query<StockRow & { sku: string }>(
    'SELECT sku, available, reserved FROM stock',
  );
  return Object.fromEntries(
    rows.map((r) => [r.sku, { available: r.available, reserved: r.reserved }]),
  );
}

const sagaMain = fileURLToPath(new URL('../../apps/order-saga/src/main.ts', import.meta.url));

/** The orchestrator as a process of its own (its main.ts), so that it can be killed with SIGKILL. */
export interface OrchestratorProcess {
  readonly pid: number | undefined;
  kill(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function orchestratorProcess(
  system: OrderSystem,
  env: Record<string, string>,
  logFile: string,
): OrchestratorProcess {
  let child: ChildProcess | undefined;
  const log = openSync(logFile, 'a');

  async function end(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  }

  return {
    get pid() {
      return child?.pid;
    },
    start() {
      child = spawn(process.execPath, ['--import', 'tsx', sagaMain], {
        env: { ...process.env, ...system.processEnv('saga'), ...env },
        stdio: ['ignore', log, log],
      });
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
