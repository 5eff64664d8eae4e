import { randomUUID } from 'node:crypto';

import { Partitioners, type Kafka } from 'kafkajs';

import type { PartitionPlan } from './replay';

export interface CopyProgress {
  copied: number;
  total: number;
}

/**
 * Mode "copy": copies the window's events into `sideTopic` (created with the
 * source's partition count), each in the partition it had, with its key,
 * value and headers plus `replay.source.topic`, `replay.source.partition` and
 * `replay.source.offset`. Reads through a throwaway group that is deleted
 * afterwards. Returns the number of events copied.
 */
export async function copyWindow(
  kafka: Kafka,
  topic: string,
  plan: PartitionPlan[],
  sideTopic: string,
  onProgress: (progress: CopyProgress) => void = () => undefined,
): Promise<number> {
  const total = plan.reduce((sum, p) => sum + p.events, 0);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `eventline-copy-${randomUUID()}`;
  // Every record is sent to the partition it came from; naming the partitioner
  // only keeps kafkajs from warning that its default changed.
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({ groupId });

  try {
    const partitions =
      (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length ?? 1;
    if (!(await admin.listTopics()).includes(sideTopic)) {
      await admin.createTopics({
        topics: [{ topic: sideTopic, numPartitions: partitions }],
        waitForLeaders: true,
      });
    }
    if (total === 0) {
      return 0;
    }
    await admin.setOffsets({
      groupId,
      topic,
      partitions: plan.map((p) => ({ partition: p.partition, offset: p.fromOffset })),
    });

    const ends = new Map(plan.map((p) => [p.partition, BigInt(p.untilOffset)]));
    let copied = 0;
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    const finished = new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            const end = ends.get(batch.partition) ?? -1n;
            const inWindow = batch.messages.filter((m) => BigInt(m.offset) <= end);
            if (inWindow.length > 0) {
              await producer.send({
                topic: sideTopic,
                messages: inWindow.map((m) => ({
                  key: m.key,
                  value: m.value,
                  partition: batch.partition,
                  headers: {
                    ...m.headers,
                    'replay.source.topic': topic,
                    'replay.source.partition': String(batch.partition),
                    'replay.source.offset': m.offset,
                  },
                })),
              });
              copied += inWindow.length;
              onProgress({ copied, total });
            }
            for (const message of batch.messages) {
              resolveOffset(message.offset);
            }
            await heartbeat();
            if (copied >= total) {
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await finished;
    return copied;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
