/**
 * Errors of the consumer runtime. A closed set of codes; whether a failure is
 * retried is decided by the classification table (classify.ts), not here.
 */
export type ConsumerErrorCode =
  /** Thrown by a handler to ask for a retry: the cause may heal (a service briefly down). */
  | 'TRANSIENT'
  /** Thrown by a handler to park the event at once: retrying cannot help. */
  | 'PERMANENT'
  /** The consumer's options are invalid; the message names the option. */
  | 'CONFIG_INVALID'
  /** Two handlers were registered under one name. */
  | 'HANDLER_DUPLICATE'
  /** stop() did not finish within its deadline. */
  | 'SHUTDOWN_TIMEOUT'
  /** A group cannot be reset while it has members; the message names them. */
  | 'GROUP_ACTIVE'
  /** A replay request that cannot be carried out (no such topic, group exists...). */
  | 'REPLAY_INVALID'
  /** The handlers' own database stayed unreachable through every retry of a handler. */
  | 'DATABASE_UNAVAILABLE';

export class ConsumerError extends Error {
  override readonly name = 'ConsumerError';
  readonly code: ConsumerErrorCode;

  constructor(code: ConsumerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** For handlers: a failure worth retrying in place. */
export function transientError(message: string, cause?: unknown): ConsumerError {
  return new ConsumerError('TRANSIENT', message, cause === undefined ? undefined : { cause });
}

/** For handlers: a failure that parks the event without retries. */
export function permanentError(message: string, cause?: unknown): ConsumerError {
  return new ConsumerError('PERMANENT', message, cause === undefined ? undefined : { cause });
}
