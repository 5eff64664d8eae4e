import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { consumerMigrations } from '@eventline/consumer';
import { migrate } from '@eventline/db';
import {
  createTestDatabase,
  createTopic,
  testKafka,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@eventline/testkit';
import type { Admin, Consumer } from 'kafkajs';

// The operator CLI as a person runs it: a process with arguments, its output
// and exit code, against the real stack.

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const commandNames = [
  'setup',
  'status',
  'replay',
  'dead-letters list',
  'dead-letters show',
  'dead-letters redrive',
  'dead-letters discard',
  'schemas list',
  'schemas check',
  'schemas register',
];

test('every command answers --help with its usage', async () => {
  const overview = await cli('--help');
  assert.equal(overview.code, 0);
  for (const name of commandNames) {
    assert.ok(overview.stdout.includes(name), `the overview lists ${name}`);
    const help = await cli(...name.split(' '), '--help');
    assert.equal(help.code, 0, `${name} --help`);
    assert.match(help.stdout, new RegExp(`^Usage: eventline ${name} `));
  }
});

test('a wrong option is a usage error naming it, exit code 2', async () => {
  const run = await cli(
    'replay',
    '--group',
    'g',
    '--topic',
    't',
    '--mode',
    'sideways',
    '--from',
    'x',
  );
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--mode must be one of reset, new-group, copy/);
});

test('status --json reports the connectors, slots and groups', async () => {
  const run = await cli('status', '--json');
  assert.equal(run.code, 0, run.stderr);
  const status = JSON.parse(run.stdout) as {
    connectors: { name: string; state: string; tasks: string[] }[];
    slots: { slot: string; retainedWalBytes: number }[];
    groups: unknown[];
  };
  for (const name of [
    'orders-outbox',
    'order-saga-outbox',
    'inventory-outbox',
    'payments-outbox',
  ]) {
    const connector = status.connectors.find((c) => c.name === name);
    assert.equal(connector?.state, 'RUNNING', `${name}: ${JSON.stringify(connector)}`);
    assert.deepEqual(connector?.tasks, ['0:RUNNING'], `${name}: ${JSON.stringify(connector)}`);
  }
  assert.ok(status.slots.some((s) => s.slot === 'orders_outbox' && s.retainedWalBytes >= 0));
  assert.ok(Array.isArray(status.groups));
});

describe('replay and dead letters through the CLI', () => {
  const kafka = testKafka('cli-test');
  const topic = uniqueName('t_cli').replaceAll('_', '.');
  const group = `${topic}.group`;
  let admin: Admin;
  let member: Consumer;
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase('t_cli');
    await migrate(db.pool, [consumerMigrations]);
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topic, 2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 3}`, value: `v${i}` })),
    });
    await producer.disconnect();
    member = kafka.consumer({ groupId: group });
    await member.connect();
    await member.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await member.run({ eachMessage: async () => void seen++ });
    await waitFor(() => seen === 10, { what: 'the member to read the topic' });
  });

  after(async () => {
    await member?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await db?.drop();
  });

  test('a dry run prints current and target offsets and event counts per partition', async () => {
    const run = await cli(
      'replay',
      '--group',
      group,
      '--topic',
      topic,
      '--from-offsets',
      '0:0,1:0',
      '--mode',
      'reset',
      '--rerun',
      '--dry-run',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as { events: number; partitions: { events: number }[] };
    assert.equal(plan.events, 10);
    assert.equal(plan.partitions.length, 2);
  });

  test('resetting an active group is refused with its members named', async () => {
    const [before] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const run = await cli(
      'replay',
      '--group',
      group,
      '--topic',
      topic,
      '--from-offsets',
      '0:0,1:0',
      '--mode',
      'reset',
      '--rerun',
      '--database',
      db.name,
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /active member\(s\): cli-test \(/);
    const [after] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    assert.deepEqual(after, before, 'no offset changed');
  });

  test('a window copied to a side topic keeps keys and names each source position', async () => {
    const sideTopic = `${topic}.side`;
    const run = await cli(
      'replay',
      '--group',
      group,
      '--topic',
      topic,
      '--from-offsets',
      '0:1,1:1',
      '--mode',
      'copy',
      '--side-topic',
      sideTopic,
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { copied: number; partitions: { events: number }[] };
    const expected = result.partitions.reduce((n, p) => n + p.events, 0);
    assert.equal(result.copied, expected);
    const nonEmpty = (await admin.fetchTopicOffsets(topic)).filter((p) => p.high !== '0').length;
    assert.equal(expected, 10 - nonEmpty, 'ten events less the first of each partition');

    const copies: { key: string; headers: Record<string, string>; partition: number }[] = [];
    const reader = kafka.consumer({ groupId: `${sideTopic}.reader` });
    await reader.connect();
    await reader.subscribe({ topic: sideTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message, partition }) => {
        copies.push({
          key: String(message.key),
          partition,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        });
      },
    });
    try {
      await waitFor(() => copies.length === expected, { what: 'the copies' });
    } finally {
      await reader.disconnect();
      await admin.deleteTopics({ topics: [sideTopic] }).catch(() => undefined);
    }
    for (const copy of copies) {
      assert.equal(copy.headers['replay.source.topic'], topic);
      assert.equal(copy.headers['replay.source.partition'], String(copy.partition));
      assert.ok(Number(copy.headers['replay.source.offset']) >= 1);
    }
  });

  test('parked events are listed, shown and discarded with a reason', async () => {
    await db.pool.query(
      `INSERT INTO consumer_parked (group_id, topic, partition, "offset", message_key, payload, reason,
         error_class, error_message)
       VALUES ($1, $2, 0, 3, 'k0', '\\x00ff', 'UNDECODABLE', 'schema:NOT_FRAMED', 'bad frame')`,
      [group, topic],
    );
    const list = await cli(
      'dead-letters',
      'list',
      '--database',
      db.name,
      '--group',
      group,
      '--json',
    );
    assert.equal(list.code, 0, list.stderr);
    const [parked] = JSON.parse(list.stdout) as { id: string; reason: string; key: string }[];
    assert.equal(parked?.reason, 'UNDECODABLE');
    assert.equal(parked?.key, 'k0');

    const show = await cli(
      'dead-letters',
      'show',
      '--database',
      db.name,
      '--id',
      parked?.id ?? '',
      '--json',
    );
    assert.equal((JSON.parse(show.stdout) as { payloadBytes: number }).payloadBytes, 2);

    const discard = await cli(
      'dead-letters',
      'discard',
      '--database',
      db.name,
      '--id',
      parked?.id ?? '',
      '--reason',
      'test data, not an order',
    );
    assert.equal(discard.code, 0, discard.stderr);
    const { rows } = await db.pool.query('SELECT state, resolution FROM consumer_parked');
    assert.deepEqual(rows, [{ state: 'discarded', resolution: 'test data, not an order' }]);
  });
});
