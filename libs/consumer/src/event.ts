import type { Transaction } from '@eventline/db';
import type { EventMetadata, OutboxEvent } from '@eventline/outbox';
import type { Logger } from '@eventline/observability';

/** An event as a handler sees it: decoded, with its envelope from the Kafka headers. */
export interface ConsumedEvent<Value = unknown> {
  /** The event id (the outbox row id); the inbox deduplicates on it. */
  id: string;
  /** The record's full name, e.g. 'eventline.orders.OrderPlaced'. */
  type: string;
  key: string;
  value: Value;
  topic: string;
  partition: number;
  offset: string;
  /** The Kafka record timestamp, epoch milliseconds. */
  timestamp: number;
  metadata: EventMetadata;
  /** The inbox epoch this handling counts under (0 unless in a re-run replay window). */
  epoch: number;
  /** True in a re-run replay: handlers that are not replayable are passed over. */
  replaying: boolean;
}

/** What a handler gets: its event, the transaction its effects go in, and an outbox. */
export interface HandlerContext<Types, Value> {
  event: ConsumedEvent<Value>;
  /** Commits together with the inbox row; the offset is committed only after. */
  tx: Transaction;
  /**
   * Publishes through the outbox in `tx`, carrying this event forward: the
   * causation id is this event's id, the correlation id and tenant are kept,
   * and the trace context continues this event's trace.
   */
  publish<N extends keyof Types & string>(event: OutboxEvent<Types, N>): Promise<string>;
  logger: Logger;
}

export type Handler<Types, Value> = (context: HandlerContext<Types, Value>) => Promise<void>;

export interface HandlerRegistration<Types> {
  /** Stable and unique within the group: the inbox rows are keyed by it. */
  name: string;
  type: keyof Types & string;
  handle: Handler<Types, never>;
  /** False for handlers with outside effects (notifying customers) that replays must skip. */
  replayable: boolean;
}
