// Outbox write path: transactions per second of "business row + outbox event"
// through libs/outbox (validate, Avro-encode, insert and delete the outbox
// row), against the same SQL with a fixed payload and no encoding, run side
// by side in alternating rounds on the same database. Reports the ratio.
//
//   node --import tsx bench/outbox-publish.ts [--clients 8] [--transactions 2000] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { migrate, withTransaction, type Pool } from '@eventline/db';
import { createOutboxPublisher, outboxMigrations } from '@eventline/outbox';
import {
  createCodec,
  createRegistryClient,
  registerCatalog,
  type EventTypes,
  type OrderPlaced,
} from '@eventline/schemas';
import { createTestDatabase, stackEndpoints, testCatalog } from '@eventline/testkit';

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

async function main(): Promise<void> {
  const db = await createTestDatabase('bench_outbox');
  try {
    await run(db.pool, db.name);
  } finally {
    await db.drop();
  }
}

async function run(pool: Pool, prefix: string): Promise<void> {
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

  // The reference: the statements the publisher sends, with bytes made once.
  const fixedPayload = Buffer.alloc(120, 7);
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
          ['orders.events'],
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
  const reference: number[] = [];
  const subject: number[] = [];
  for (let round = 0; round < rounds; round++) {
    reference.push(await measure(plain));
    subject.push(await measure(published));
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const result = {
    benchmark: 'outbox-publish',
    date: new Date().toISOString(),
    cores: cpus().length,
    clients,
    transactionsPerRound: transactions,
    rounds,
    referenceTxPerSecond: Math.round(median(reference)),
    publisherTxPerSecond: Math.round(median(subject)),
    ratio: Number((median(subject) / median(reference)).toFixed(3)),
    reference: 'same SQL (business row, outbox insert, outbox delete) with a fixed payload',
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/outbox-publish.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  process.stdout.write(
    `outbox publish: ${result.publisherTxPerSecond} tx/s vs ${result.referenceTxPerSecond} tx/s ` +
      `plain SQL (ratio ${result.ratio}, ${clients} clients, ${cpus().length} cores)\n`,
  );
}

await main();
