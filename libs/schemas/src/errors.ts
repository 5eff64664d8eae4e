/**
 * Why encoding, decoding or a registry call failed. A closed set: consumers
 * decide between retrying and parking by `code` and `retriable`, never by
 * message text.
 */
export type SchemaErrorCode =
  /** The bytes are too short or lack the magic byte 0 of the Confluent wire format. */
  | 'NOT_FRAMED'
  /** The registry has no schema under the id in the frame. */
  | 'UNKNOWN_SCHEMA_ID'
  /** The Avro body does not decode with the writer schema (or resolve to the reader's). */
  | 'UNDECODABLE'
  /** A value does not match its schema; `fieldPath` says where. */
  | 'INVALID_VALUE'
  /** A schema a service publishes is not registered under its subject. */
  | 'NOT_REGISTERED'
  /** The registry did not answer (after retries). */
  | 'REGISTRY_UNREACHABLE'
  /** The registry answered with an error status. */
  | 'REGISTRY_REJECTED';

/** Only an unreachable registry may heal by itself; the others are facts about the data. */
const retriableCodes: ReadonlySet<SchemaErrorCode> = new Set(['REGISTRY_UNREACHABLE']);

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly code: SchemaErrorCode;
  readonly retriable: boolean;
  /** For INVALID_VALUE: the path of the offending field, e.g. `lines[0].quantity`. */
  readonly fieldPath: string | undefined;

  constructor(
    code: SchemaErrorCode,
    message: string,
    options: { cause?: unknown; fieldPath?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = retriableCodes.has(code);
    this.fieldPath = options.fieldPath;
  }
}
