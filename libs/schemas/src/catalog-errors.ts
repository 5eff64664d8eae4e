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
