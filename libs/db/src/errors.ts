/** Why a database operation of this lib failed. A closed set: callers branch on `code`. */
export type DbErrorCode =
  'MIGRATION_INVALID_NAME' | 'MIGRATION_DRIFT' | 'MIGRATION_FAILED' | 'TRANSACTION_FAILED';

export class DbError extends Error {
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DbError';
    this.code = code;
  }
}
