// Duplicated and reordered replies: reads the participants' event topics
// as they fill and re-produces windows of them newest first (a later step's
// reply before an earlier one), to the partition each came from, with the
// headers of the original (the same event id, which the orchestrator's
// inbox must drop) and, for every other one, once more with an event id of
// its own (what a participant that answers a resent command twice sends;
// the saga's state machine must drop it). Also: consumer-group lag, for a
// checker that must wait until every copy was read.
import { randomUUID } from 'node:crypto';

import { testKafka } from '@eventline/testkit';
import { Partitioners, type IHeaders, type Kafka, type Message } from 'kafkajs';

interface Captured {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface ReplyDuplicator {
  /** Copies of the replies read since the last call, newest first; returns how many were sent. */
  injectWindow(): Promise<number>;
  /** Copies of every reply read so far, newest first (a replay of the topics out of order). */
  injectAll(): Promise<number>;
  sameIdCopies(): number;
  freshIdCopies(): number;
  stop(): Promise<void>;
}

/** Marks a copy, so that the duplicator does not copy its own copies. */
const copyHeader = 'faultCopy';

export async function startReplyDuplicator(
  topics: string[],
  name: string,
): Promise<ReplyDuplicator> {
  const kafka = testKafka(`${name}-duplicator`);
  const consumer = kafka.consumer({ groupId: `${name}-duplicator` });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const read: Captured[] = [];
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      // The copies come back on the same topics; only originals are copied.
      if (message.headers?.[copyHeader] !== undefined) {
        return;
      }
      read.push({
        topic,
        partition,
        key: message.key,
        value: message.value,
        headers: present(message.headers ?? {}),
      });
    },
  });

  let windowStart = 0;
  let sameId = 0;
  let freshId = 0;

  async function send(window: Captured[]): Promise<number> {
    const byTopic = new Map<string, Message[]>();
    [...window].reverse().forEach((reply, i) => {
      const headers = { ...reply.headers, [copyHeader]: 'same-id' };
      const copies: Message[] = [
        { key: reply.key, value: reply.value, headers, partition: reply.partition },
      ];
      if (i % 2 === 0) {
        copies.push({
          key: reply.key,
          value: reply.value,
          headers: { ...reply.headers, id: randomUUID(), [copyHeader]: 'fresh-id' },
          partition: reply.partition,
        });
      }
      byTopic.set(reply.topic, [...(byTopic.get(reply.topic) ?? []), ...copies]);
      sameId += 1;
      freshId += copies.length - 1;
    });
    if (byTopic.size === 0) {
      return 0;
    }
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    return [...byTopic.values()].reduce((n, messages) => n + messages.length, 0);
  }

  return {
    async injectWindow() {
      const window = read.slice(windowStart);
      windowStart = read.length;
      return send(window);
    },
    async injectAll() {
      return send(read.slice(0, windowStart));
    },
    sameIdCopies: () => sameId,
    freshIdCopies: () => freshId,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/**
 * The headers with a value: the Event Router sends null for a NULL column,
 * which kafkajs cannot produce; the consumer reads null and absent alike.
 */
function present(headers: IHeaders): IHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([, value]) => value !== null && value !== undefined),
  );
}

/** Messages the group has not committed yet over `topics` (every partition). */
export async function groupLag(kafka: Kafka, groupId: string, topics: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
        lag += Number(end.high) - Math.max(at, Number(end.low));
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
