import type { Producer } from 'kafkajs';

import type { ParkedRecord } from './parking';

/** The dead-letter topic of a topic. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * Sends a parked event to `<topic>.dlq`: the original key, bytes and headers,
 * plus headers saying why and from where. The Postgres row is the record the
 * platform acts on (re-drive reads it); the topic is for tools and people.
 */
export async function sendDeadLetter(
  producer: Producer,
  record: ParkedRecord,
  firstFailureAt: Date,
): Promise<void> {
  await producer.send({
    topic: deadLetterTopic(record.topic),
    messages: [
      {
        key: record.key,
        value: record.payload,
        headers: {
          ...record.headers,
          'dlq.reason': record.reason,
          'dlq.error.class': record.errorClass ?? '',
          'dlq.error.message': record.errorMessage ?? '',
          'dlq.original.topic': record.topic,
          'dlq.original.partition': String(record.partition),
          'dlq.original.offset': record.offset,
          'dlq.group': record.groupId,
          'dlq.handler': record.handler ?? '',
          'dlq.first.failure': firstFailureAt.toISOString(),
          'dlq.attempts': String(record.attempts),
        },
      },
    ],
  });
}
