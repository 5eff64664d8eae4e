import { randomUUID } from 'node:crypto';

import {
  avroType,
  createCodec,
  createRegistryClient,
  type CatalogEntry,
  type Decoded,
} from '@eventline/schemas';
import { Partitioners, type Kafka, type KafkaMessage } from 'kafkajs';

import { stackEndpoints } from './stack';

export interface RecordProducer {
  /**
   * Sends a record the way the outbox path delivers it: Confluent-framed Avro
   * under the entry's registered schema, keyed, with an `id` header (and any
   * other headers). Returns the id.
   */
  send(
    entry: CatalogEntry,
    key: string,
    value: unknown,
    headers?: Record<string, string>,
  ): Promise<string>;
  /** Decodes a consumed message with the registry (writer schema by id). */
  decode(message: KafkaMessage): Promise<Decoded>;
  stop(): Promise<void>;
}

/** For tests that play a service's counterpart: produce and read framed Avro records. */
export async function createRecordProducer(kafka: Kafka): Promise<RecordProducer> {
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const codec = createCodec(registry);
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const ids = new Map<string, number>();

  async function schemaId(entry: CatalogEntry): Promise<number> {
    let id = ids.get(entry.subject);
    if (id === undefined) {
      const found = await registry.lookup(entry.subject, entry.schema);
      if (!found) {
        throw new Error(`${entry.subject} is not registered; call registerCatalog first`);
      }
      id = found.id;
      ids.set(entry.subject, id);
    }
    return id;
  }

  return {
    async send(entry, key, value, headers = {}) {
      const id = randomUUID();
      const payload = codec.encode(await schemaId(entry), avroType(entry.schema), value);
      await producer.send({
        topic: entry.topic,
        messages: [{ key, value: payload, headers: { ...headers, id, eventType: entry.fullName } }],
      });
      return id;
    },
    decode: (message) => codec.decode(message.value ?? Buffer.alloc(0)),
    stop: () => producer.disconnect(),
  };
}
