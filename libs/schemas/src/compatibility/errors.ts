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
