// The errors of @eventline/schemas, one class per part of the lib, each with
// a closed set of codes: SchemaError for the codec and the registry client,
// SchemaCatalogError for loading schemas/, SchemaCompatibilityError for the
// checker's inputs (a break between valid schemas is a finding, not an error).

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

/**
 * Why a schemas folder could not be loaded. The set is closed so that callers (the CI check, the
 * deploy step that registers schemas) can branch on `code` instead of on message text.
 */
export type SchemaCatalogErrorCode =
  /** The schemas folder or one of its topic folders could not be listed or read. */
  | 'CATALOG_UNREADABLE'
  /** A folder name is not a legal Kafka topic name, or a schema file sits outside a topic folder. */
  | 'SCHEMA_MISPLACED'
  /** A .avsc file is not valid JSON. */
  | 'SCHEMA_NOT_JSON'
  /** A .avsc file's top level is not a record with a name. */
  | 'SCHEMA_NOT_NAMED_RECORD'
  /** A .avsc file's name differs from the name of the record it holds. */
  | 'SCHEMA_NAME_MISMATCH'
  /** avsc rejected the schema; the reason is the chained cause. */
  | 'SCHEMA_INVALID'
  /** compatibility.json is not valid JSON or does not have the expected shape. */
  | 'COMPATIBILITY_CONFIG_INVALID'
  /** compatibility.json names a mode the registry does not know. */
  | 'COMPATIBILITY_MODE_UNKNOWN'
  /** compatibility.json sets a mode for a subject that no schema file produces. */
  | 'COMPATIBILITY_SUBJECT_UNKNOWN';

export interface SchemaCatalogErrorDetails {
  /** Path relative to the schemas folder of the file at fault, when there is one. */
  file?: string;
  /** The subject at fault, for compatibility.json entries. */
  subject?: string;
  cause?: unknown;
}

export class SchemaCatalogError extends Error {
  override readonly name = 'SchemaCatalogError';
  readonly code: SchemaCatalogErrorCode;
  readonly file: string | undefined;
  readonly subject: string | undefined;

  constructor(
    code: SchemaCatalogErrorCode,
    message: string,
    details: SchemaCatalogErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.subject = details.subject;
  }
}

/**
 * Why the compatibility checker could not give a verdict. A break between two valid schemas is
 * never an error: it is a finding in the report. These codes are for inputs the checker cannot
 * work with, so callers (the CI script) branch on `code` and exit with a usage or environment
 * failure instead of a verdict.
 */
export type SchemaCompatibilityErrorCode =
  /** A schema is not valid Avro; `location` points inside its JSON. */
  | 'SCHEMA_INVALID'
  /** A compatibility mode outside the registry's closed set was asked for. */
  | 'MODE_UNKNOWN'
  /** A git command needed to read earlier versions failed; the cause has git's output. */
  | 'GIT_FAILED'
  /** The schema registry could not be reached at all (connection refused, DNS, timeout). */
  | 'REGISTRY_UNREACHABLE'
  /** The registry answered, but with a status or a body this checker cannot use. */
  | 'REGISTRY_RESPONSE_INVALID';

export interface SchemaCompatibilityErrorDetails {
  /** Where in the schema JSON the problem is, e.g. `$.fields[2].type`. */
  location?: string;
  /** Which schema version was at fault, e.g. `git 1a2b3c4`, when the caller named it. */
  version?: string;
  cause?: unknown;
}

export class SchemaCompatibilityError extends Error {
  override readonly name = 'SchemaCompatibilityError';
  readonly code: SchemaCompatibilityErrorCode;
  readonly location: string | undefined;
  readonly version: string | undefined;

  constructor(
    code: SchemaCompatibilityErrorCode,
    message: string,
    details: SchemaCompatibilityErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.location = details.location;
    this.version = details.version;
  }
}
