import type { EventMetadata } from '@eventline/outbox';
import type { KafkaMessage } from 'kafkajs';

/** Header names the outbox Event Router writes (connectors/outbox-base.json). */
const metadataHeaders: Record<keyof EventMetadata, string> = {
  correlationId: 'correlationId',
  causationId: 'causationId',
  traceparent: 'traceparent',
  tenant: 'tenant',
  actor: 'actor',
};

/**
 * A header as a string; absent when missing or null. The Event Router sends
 * a header for every placed column, with a null value when the column is
 * NULL (an event without a causation id, say).
 */
export function headerValue(message: KafkaMessage, name: string): string | undefined {
  const raw = message.headers?.[name] as Buffer | string | (Buffer | string)[] | null | undefined;
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined || first === null ? undefined : first.toString();
}

export function metadataOf(message: KafkaMessage): EventMetadata {
  const metadata: EventMetadata = {};
  for (const [field, header] of Object.entries(metadataHeaders) as [
    keyof EventMetadata,
    string,
  ][]) {
    const value = headerValue(message, header);
    if (value !== undefined) {
      metadata[field] = value;
    }
  }
  return metadata;
}

/**
 * The event id: the `id` header the Event Router adds. A message produced
 * without one (not through the outbox) is identified by its position, which
 * is stable across redeliveries of that record.
 */
export function eventIdOf(message: KafkaMessage, topic: string, partition: number): string {
  return headerValue(message, 'id') ?? `${topic}/${partition}/${message.offset}`;
}

/** All headers as strings, for parking and dead letters. */
export function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(message.headers ?? {})) {
    const value = headerValue(message, name);
    if (value !== undefined) {
      out[name] = value;
    }
  }
  return out;
}
