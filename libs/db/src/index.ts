export { DbError, type DbErrorCode } from './errors';
export { loadMigrations, migrate, type Migration, type MigrationSet } from './migrations';
export { createPool, type Pool, type PoolClient, type PoolOptions } from './pool';
export { withTransaction, type Transaction } from './transaction';
export { quoteIdent, withDatabase } from './identifiers';
