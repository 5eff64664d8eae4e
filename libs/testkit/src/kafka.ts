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
