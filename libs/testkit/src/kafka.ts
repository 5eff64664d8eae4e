import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';

import { stackEndpoints } from './stack';

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: stackEndpoints().kafkaBrokers, logLevel: logLevel.WARN });
}

export async function createTopic(admin: Admin, topic: string, numPartitions = 3): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
}

/** Headers as strings, for assertions. */
export function headerStrings(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) {
      out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
    }
  }
  return out;
}

export interface Collector {
  /** Every message read so far, in arrival order. */
  received: KafkaMessage[];
  stop(): Promise<void>;
}

/** Reads a topic from the beginning in a group of its own, collecting every message. */
export async function collectMessages(
  kafka: Kafka,
  topic: string,
  groupId: string,
): Promise<Collector> {
  const received: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(message);
    },
  });
  return { received, stop: () => consumer.disconnect() };
}
