/** Metadata that travels as Kafka headers, not in the Avro payload. */
export interface EventMetadata {
  /** Ties together everything caused by one request; kept across hops. */
  correlationId?: string;
  /** The id of the event or command that caused this one. */
  causationId?: string;
  /** W3C trace context of the work that published the event. */
  traceparent?: string;
  tenant?: string;
  /** Who acted: `user:<id>` or `system:<service>`. */
  actor?: string;
}

/** One event or command to publish, typed by its record full name. */
export interface OutboxEvent<Types, N extends keyof Types & string = keyof Types & string> {
  /** The record's full name, e.g. 'eventline.orders.OrderPlaced'. */
  type: N;
  /** The aggregate (or saga) id: the Kafka key, so one aggregate stays in one partition. */
  key: string;
  value: Types[N];
  /** Needed only when the record is on more than one topic. */
  topic?: string;
  /** Defaults to a new random UUID. */
  id?: string;
  metadata?: EventMetadata;
}
