/** Why a Kafka Connect operation failed. A closed set: callers branch on `code`. */
export type ConnectErrorCode =
  /** The worker's REST API could not be reached (after retries). */
  | 'UNREACHABLE'
  /** The worker answered with an error status (bad config, unknown connector...). */
  | 'REJECTED'
  /** The connector or one of its tasks is FAILED; the message carries its trace. */
  | 'FAILED'
  /** The connector did not reach RUNNING before the deadline. */
  | 'TIMEOUT'
  /** A connector file in connectors/ is malformed. */
  | 'INVALID_CONFIG';

export class ConnectError extends Error {
  readonly code: ConnectErrorCode;

  constructor(code: ConnectErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectError';
    this.code = code;
  }
}
