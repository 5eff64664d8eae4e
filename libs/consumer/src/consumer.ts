import type { Pool } from '@eventline/db';
import { Partitioners, type Consumer, type Producer } from 'kafkajs';

import { deadLetterTopic } from './dead-letter';
import { ConsumerError } from './errors';
import type { Handler } from './event';
import { HandlerRegistry, type HandlerOptions } from './handlers';
import { createConsumerMetrics } from './metrics';
import { resolveOptions, type EventConsumerOptions } from './options';
import { listParked, resolveParked, type ParkedFilter, type ParkedRow } from './parking';
import { createProcessor, type Control, type MessageInput } from './processor';
import { redriveKey, type RedriveResult } from './redrive';
import { watchRedriveRequests } from './redrive-requests';
import { ReplayScopes } from './replay-scope';

export interface EventConsumer<Types> {
  /** Registers a handler; `name` is unique in the group and keys its inbox rows. */
  on<N extends keyof Types & string>(
    type: N,
    name: string,
    handle: Handler<Types, Types[N]>,
    options?: HandlerOptions,
  ): EventConsumer<Types>;
  /** Joins the group and starts handling; returns once the consumer runs. */
  start(): Promise<void>;
  /**
   * Stops fetching, lets in-flight work finish, commits what is durable and
   * leaves the group, within `deadlineMs` (default 15 s).
   */
  stop(deadlineMs?: number): Promise<void>;
  /** Handles a key's parked events in order, then releases the key. */
  redrive(topic: string, key: string): Promise<RedriveResult>;
  /** Marks one parked event discarded, with the operator's reason; it will not be handled. */
  discard(parkedId: string, reason: string): Promise<void>;
  parked(filter?: Omit<ParkedFilter, 'groupId'>): Promise<ParkedRow[]>;
  readonly pool: Pool;
}

/**
 * A consumer group member running typed handlers: strictly offset order in a
 * partition, partitions concurrently, each handler's effects and inbox row in
 * one transaction, offsets committed only after that, failures retried or
 * parked as classify.ts decides. See processor.ts for the state machine.
 */
export function createEventConsumer<Types>(
  input: EventConsumerOptions<Types>,
): EventConsumer<Types> {
  const options = resolveOptions(input);
  const { groupId, logger } = options;
  const registry = new HandlerRegistry<Types>();
  const metrics = createConsumerMetrics(options.metricsRegistry);
  // The default partitioner hashes keys like the Java client (murmur2), so a
  // dead letter lands in the partition its key has everywhere else.
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const scopes = new ReplayScopes(options.pool, groupId, options.epoch, options.replay);
  const processor = createProcessor(options, registry, metrics, producer, scopes);
  let consumer: Consumer | undefined;
  let stopWatching: (() => Promise<void>) | undefined;

  async function ensureDeadLetterTopics(): Promise<void> {
    const admin = options.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const metadata = await admin.fetchTopicMetadata({ topics: options.topics });
      const missing = metadata.topics
        .filter((topic) => !existing.has(deadLetterTopic(topic.name)))
        .map((topic) => ({
          topic: deadLetterTopic(topic.name),
          numPartitions: topic.partitions.length,
        }));
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing, waitForLeaders: true });
      }
    } finally {
      await admin.disconnect();
    }
  }

  const api: EventConsumer<Types> = {
    pool: options.pool,

    on(type, name, handle, handlerOptions) {
      registry.add(type, name, handle, handlerOptions);
      return api;
    },

    async start() {
      await ensureDeadLetterTopics();
      await scopes.refresh(true);
      await producer.connect();
      consumer = options.kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: options.sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      });
      const member = consumer;
      await member.connect();
      await member.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });

      await member.run({
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        eachBatchAutoResolve: false,
        // kafkajs commits the resolved offsets after each batch and before a
        // rebalance; an offset is resolved only once its outcome is durable.
        autoCommit: true,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const control: Control = { heartbeat, shouldContinue: () => isRunning() && !isStale() };
          const labels = { group: groupId, topic: batch.topic, partition: String(batch.partition) };
          metrics.lag.set(labels, Math.max(0, Number(batch.offsetLag())));
          await scopes.refresh();

          const inputs: MessageInput[] = batch.messages.map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            message,
          }));
          for (let i = 0; i < inputs.length; i += options.inboxBatchSize) {
            if (!control.shouldContinue()) {
              return;
            }
            const chunk = inputs.slice(i, i + options.inboxBatchSize);
            const outcome =
              chunk.length === 1
                ? await processor.process(chunk[0] as MessageInput, control)
                : await processor.processChunk(chunk, control);
            if (outcome === 'abandoned' || isStale()) {
              return;
            }
            resolveOffset((chunk[chunk.length - 1] as MessageInput).message.offset);
            await heartbeat();
          }
        },
      });
      stopWatching = watchRedriveRequests(
        options.pool,
        groupId,
        (topic, key) => api.redrive(topic, key),
        options.redriveRequestPollMs,
        logger,
      );
      logger.info({ groupId, topics: options.topics }, 'Consumer started');
    },

    async stop(deadlineMs = 15_000) {
      const member = consumer;
      consumer = undefined;
      if (!member) {
        return;
      }
      await stopWatching?.();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ConsumerError(
                'SHUTDOWN_TIMEOUT',
                `Consumer ${groupId} did not stop within ${deadlineMs} ms`,
              ),
            ),
          deadlineMs,
        );
      });
      try {
        // disconnect() stops fetching, waits for the running batches, commits
        // their resolved offsets and leaves the group.
        await Promise.race([member.disconnect().then(() => producer.disconnect()), deadline]);
        logger.info({ groupId }, 'Consumer stopped');
      } finally {
        clearTimeout(timer);
      }
    },

    redrive: (topic, key) => redriveKey(options, processor, topic, key),

    async discard(parkedId, reason) {
      await resolveParked(options.pool, parkedId, 'discarded', reason);
    },

    parked: (filter = {}) => listParked(options.pool, { ...filter, groupId }),
  };

  return api;
}
