/** Why publishing to the outbox failed. A closed set: callers branch on `code`. */
export type OutboxErrorCode =
  /** The event's type is not one this publisher was configured with. */
  | 'UNKNOWN_EVENT_TYPE'
  /** The same record is on several topics and the event did not say which. */
  | 'TOPIC_AMBIGUOUS'
  /** publish() was called before start() resolved the schema ids. */
  | 'NOT_STARTED'
  /** An option given to an outbox component is invalid; the message names it. */
  | 'CONFIG_INVALID';

export class OutboxError extends Error {
  override readonly name = 'OutboxError';
  readonly code: OutboxErrorCode;

  constructor(code: OutboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
