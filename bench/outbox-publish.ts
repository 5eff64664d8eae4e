// Outbox write path: transactions per second of "business row + outbox event"
// through libs/outbox (validate, Avro-encode, insert and delete the outbox
// row), against the same SQL with a fixed payload and no encoding, run side
// by side in alternating rounds on the same database; and against pgbench
// running the same statements (business row, outbox insert with RETURNING,
// outbox delete, in one transaction) with as many clients, as a second
// reference that has no Node.js in it. Reports both ratios.
//
//   node --import tsx bench/outbox-publish.ts [--clients 8] [--transactions 2000] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { migrate, withDatabase, withTransaction, type Pool } from '@eventline/db';
import { createOutboxPublisher, outboxMigrations } from '@eventline/outbox';
import {
  createCodec,
  avroType,
  createRegistryClient,
  registerCatalog,
  type EventTypes,
  type OrderPlaced,
} from '@eventline/schemas';
import { createTestDatabase, stackEndpoints, testCatalog } from '@eventline/testkit';

import { findPgbench, pgbenchVersion, runPgbench } from './lib/pgbench';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    transactions: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
  },
});
const clients = Number(args.clients);
const transactions = Number(args.transactions);
const rounds = Number(args.rounds);
for (const [name, value] of Object.entries({ clients, transactions, rounds })) {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be an integer >= 1`);
  }
}
if (transactions % clients !== 0) {
  throw new Error(
    '--transactions must be a multiple of --clients (pgbench runs a count per client)',
  );
}

function order(): OrderPlaced {
  return {
    orderId: randomUUID(),
    customerId: randomUUID(),
    lines: [
      { sku: 'SKU-1', quantity: 2, unitPriceMinor: 1250 },
      { sku: 'SKU-2', quantity: 1, unitPriceMinor: 990 },
    ],
    totalMinor: 3490,
    currency: 'EUR',
    occurredAt: new Date(),
    actor: 'user:bench',
  };
}

/** Runs `transactions` calls of `work` over `clients` concurrent workers; returns tx/s. */
async function measure(work: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < transactions) {
        await work();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return transactions / seconds;
}

/**
 * The publisher's statements in pgbench's language. The ids are made by the
 * server (gen_random_uuid) rather than the client, and the payload is a
 * constant of the encoded event's length; the order id comes back through
 * RETURNING, so the round trips are those of the publisher's transaction.
 * pgbench reads ":word" as a variable even inside a string, hence the split actor.
 */
function pgbenchScript(topic: string, payloadBytes: number): string {
  const payload = '07'.repeat(payloadBytes);
  return `BEGIN;
INSERT INTO orders (id, total) VALUES (gen_random_uuid(), 3490) RETURNING id AS order_id \\gset
INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, correlation_id,
    causation_id, traceparent, tenant, actor)
  SELECT * FROM unnest(ARRAY[gen_random_uuid()], ARRAY['${topic}'], ARRAY[:order_id::text],
    ARRAY['eventline.orders.OrderPlaced'], ARRAY[decode('${payload}', 'hex')], ARRAY[NULL::uuid],
    ARRAY[NULL::uuid], ARRAY[NULL::text], ARRAY[NULL::text], ARRAY['user:' || 'bench'])
  RETURNING id AS event_id \\gset
DELETE FROM outbox WHERE id = ANY(ARRAY[:event_id]::uuid[]);
END;
`;
}

async function main(): Promise<void> {
  // Found first: without pgbench the run has no second reference and stops here.
  const pgbench = await findPgbench();
  const db = await createTestDatabase('bench_outbox');
  try {
    await run(db.pool, db.name, pgbench);
  } finally {
    await db.drop();
  }
}

async function run(pool: Pool, prefix: string, pgbench: string): Promise<void> {
  await migrate(pool, [outboxMigrations]);
  await pool.query('CREATE TABLE orders (id uuid PRIMARY KEY, total bigint NOT NULL)');

  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const catalog = await testCatalog(prefix);
  await registerCatalog(registry, catalog);
  const publisher = createOutboxPublisher<EventTypes>({
    registry,
    codec: createCodec(registry),
    schemas: catalog,
  });
  await publisher.start();

  // The references: the statements the publisher sends, with bytes made once
  // and as long as the publisher's encoded event.
  const orderPlaced = catalog.find((entry) => entry.fullName === 'eventline.orders.OrderPlaced');
  const schemaId = orderPlaced
    ? (await registry.lookup(orderPlaced.subject, orderPlaced.schema))?.id
    : undefined;
  if (!orderPlaced || schemaId === undefined) {
    throw new Error('eventline.orders.OrderPlaced is not in the registered test catalog');
  }

  const payloadBytes = createCodec(registry).encode(
    schemaId,
    avroType(orderPlaced.schema),
    order(),
  ).length;
  const fixedPayload = Buffer.alloc(payloadBytes, 7);
  const script = pgbenchScript(orderPlaced.topic, payloadBytes);
  const threads = Math.max(1, Math.min(clients, cpus().length));
  const viaPgbench = async (): Promise<number> => {
    const result = await runPgbench(pgbench, {
      script,
      url: withDatabase(stackEndpoints().pgAppUrl, prefix),
      clients,
      threads,
      transactionsPerClient: transactions / clients,
    });
    return result.tps;
  };
  const plain = async () => {
    const value = order();
    await withTransaction(pool, async (tx) => {
      await tx.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [value.orderId, 3490]);
      const id = randomUUID();
      await tx.query(
        `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, correlation_id,
           causation_id, traceparent, tenant, actor)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[],
           $6::uuid[], $7::uuid[], $8::text[], $9::text[], $10::text[])`,
        [
          [id],
          [orderPlaced.topic],
          [value.orderId],
          ['eventline.orders.OrderPlaced'],
          [fixedPayload],
          [null],
          [null],
          [null],
          [null],
          ['user:bench'],
        ],
      );
      await tx.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [[id]]);
    });
  };
  const published = async () => {
    const value = order();
    await withTransaction(pool, async (tx) => {
      await tx.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [value.orderId, 3490]);
      await publisher.publish(tx, {
        type: 'eventline.orders.OrderPlaced',
        key: value.orderId,
        value,
        metadata: { actor: 'user:bench' },
      });
    });
  };

  await measure(plain); // warm-up of both paths
  await measure(published);
  await viaPgbench();
  const reference: number[] = [];
  const subject: number[] = [];
  const pgbenchTps: number[] = [];
  for (let round = 0; round < rounds; round++) {
    reference.push(await measure(plain));
    subject.push(await measure(published));
    pgbenchTps.push(await viaPgbench());
  }
  const { rows: written } = await pool.query<{ orders: number; outbox: number }>(
    'SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM outbox) AS outbox',
  );
  const expectedOrders = transactions * 3 * (1 + rounds);
  if (written[0]?.orders !== expectedOrders || written[0]?.outbox !== 0) {
    throw new Error(
      `Expected ${expectedOrders} orders and an empty outbox, found ${JSON.stringify(written[0])}`,
    );
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const result = {
    benchmark: 'outbox-publish',
    date: new Date().toISOString(),
    cores: cpus().length,
    versions: await versions(pool, pgbench),
    clients,
    transactionsPerRound: transactions,
    referenceTxPerSecond: Math.round(median(reference)),
    publisherTxPerSecond: Math.round(median(subject)),
    ratio: Number((median(subject) / median(reference)).toFixed(3)),
    reference: 'same SQL (business row, outbox insert, outbox delete) with a fixed payload',
    payloadBytes,
    pgbenchTxPerSecond: Math.round(median(pgbenchTps)),
    pgbenchThreads: threads,
    ratioToPgbench: Number((median(subject) / median(pgbenchTps)).toFixed(3)),
    pgbenchReference:
      'pgbench, extended protocol, same statements and clients, ids made by the server',
    rounds,
    roundsTxPerSecond: {
      publisher: subject.map(Math.round),
      plainSql: reference.map(Math.round),
      pgbench: pgbenchTps.map(Math.round),
    },
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/outbox-publish.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  process.stdout.write(
    `outbox publish: ${result.publisherTxPerSecond} tx/s vs ${result.referenceTxPerSecond} tx/s ` +
      `plain SQL (ratio ${result.ratio}), ${result.pgbenchTxPerSecond} tx/s pgbench ` +
      `(ratio ${result.ratioToPgbench}); ${clients} clients, ${cpus().length} cores\n`,
  );
}

async function versions(pool: Pool, pgbench: string): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  const pg = require('pg/package.json') as { version: string };
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  return {
    node: process.version,
    pg: pg.version,
    postgres: rows[0]?.server_version ?? 'unknown',
    pgbench: await pgbenchVersion(pgbench),
  };
}

await main();
