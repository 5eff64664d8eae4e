import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { Admin } from 'kafkajs';

import { createTopic, testKafka, uniqueName, waitFor } from '../src/index';

// kafkajs 2.2.4 against the Kafka 4 broker: the protocol calls the platform
// makes (topic admin, produce, group consume, offset commit and fetch).

const kafka = testKafka('broker-test');
const topic = uniqueName('t_broker').replaceAll('_', '.');
const groupId = `${topic}.group`;
let admin: Admin;

before(async () => {
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('a created topic is listed with its partitions', async () => {
  await createTopic(admin, topic, 3);

  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(metadata.topics[0]?.partitions.length, 3);
});

test('messages produced with keys are consumed in a group and their offsets committed', async () => {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` }));
  await producer.send({ topic, messages });
  await producer.disconnect();

  const seen: { key: string; value: string; partition: number }[] = [];
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      seen.push({ key: String(message.key), value: String(message.value), partition });
      await consumer.commitOffsets([
        { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
      ]);
    },
  });
  await waitFor(() => seen.length >= messages.length, { what: 'all 30 messages' });
  await consumer.disconnect();

  // Per key, values arrive in the order they were produced.
  for (const key of ['k0', 'k1', 'k2', 'k3', 'k4']) {
    const values = seen.filter((m) => m.key === key).map((m) => Number(m.value.slice(1)));
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      `order of ${key}`,
    );
    assert.equal(new Set(seen.filter((m) => m.key === key).map((m) => m.partition)).size, 1);
  }

  // The committed offsets read back add up to every message.
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, messages.length);
});
