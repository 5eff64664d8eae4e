/**
 * Errors of the saga engine. A closed set of codes; none of them heals by
 * retrying, so a reply handler that throws one has its reply parked.
 */
export type SagaErrorCode =
  /** The engine's options are invalid; the message names the option. */
  | 'CONFIG_INVALID'
  /** A saga definition cannot work; the message names the field, e.g. `steps[1].deadlineMs`. */
  | 'DEFINITION_INVALID'
  /** A saga was started, or an instance was found, under a name the engine was not given. */
  | 'UNKNOWN_SAGA'
  /** A saga id is not a UUID (the instances table keys on uuid). */
  | 'SAGA_ID_INVALID'
  /** A stored instance contradicts its definition (a step or compensation index out of range). */
  | 'INSTANCE_CORRUPT';

export class SagaError extends Error {
  override readonly name = 'SagaError';
  readonly code: SagaErrorCode;

  constructor(code: SagaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
