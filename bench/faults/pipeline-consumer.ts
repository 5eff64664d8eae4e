// The consumer side of the fault pipeline, shared by the in-process consumer
// and the consumer worker process: an idempotent handler that records each
// event's key and sequence number as an effect row.
import { createEventConsumer, type EventConsumer } from '@eventline/consumer';
import type { Pool } from '@eventline/db';
import type { Logger } from '@eventline/observability';
import { createCodec, createRegistryClient, type EventTypes } from '@eventline/schemas';
import { stackEndpoints, testCatalog, testKafka } from '@eventline/testkit';
import { Registry } from 'prom-client';

export const pipelineEventType = 'eventline.inventory.StockReserved';

/** The topic a pipeline's events are routed to (its database name is the topic prefix). */
export function pipelineTopic(database: string): string {
  return `${database}.inventory.events`;
}

export interface PipelineConsumerOptions {
  database: string;
  pool: Pool;
  logger?: Logger;
  /** Called after each effect commits, before its offset is committed. */
  onEffectCommitted?: () => void;
  sessionTimeoutMs?: number;
}

export async function createPipelineConsumer(
  options: PipelineConsumerOptions,
): Promise<EventConsumer<EventTypes>> {
  const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
  const consumer = createEventConsumer<EventTypes>({
    kafka: testKafka(`${options.database}-faults`),
    groupId: `${options.database}-group`,
    topics: [pipelineTopic(options.database)],
    pool: options.pool,
    codec: createCodec(registry),
    schemas: await testCatalog(options.database),
    metricsRegistry: new Registry(),
    inboxBatchSize: 20,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onEffectCommitted ? { onEffectCommitted: options.onEffectCommitted } : {}),
    ...(options.sessionTimeoutMs ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
  });
  consumer.on(pipelineEventType, 'record', async ({ event, tx }) => {
    const [key, seq] = event.value.actor.split(':');
    await tx.query('INSERT INTO effects (event_id, key, seq) VALUES ($1, $2, $3)', [
      event.id,
      key,
      Number(seq),
    ]);
  });
  return consumer;
}
