import { SchemaError } from '@eventline/schemas';

import { ConsumerError } from './errors';

export type FailureKind = 'transient' | 'permanent';

export interface Classification {
  kind: FailureKind;
  /** A short stable name for the failure, stored with parked events. */
  errorClass: string;
}

/**
 * Postgres SQLSTATE codes and classes that may heal by themselves. Anything
 * else from Postgres (constraint violations, bad data, bad SQL) is a fact
 * about the event or the handler and is permanent.
 */
const transientSqlStates: Record<string, string> = {
  '40001': 'serialization failure: another transaction won; run it again',
  '40P01': 'deadlock detected: Postgres aborted one side; run it again',
  '55P03': 'lock not available (NOWAIT or lock_timeout)',
  '57014': 'query canceled, e.g. by statement_timeout',
  '57P01': 'admin shutdown: the server is restarting',
  '57P02': 'crash shutdown: the server is restarting',
  '57P03': 'cannot connect now: the server is starting',
  '53300': 'too many connections',
  '53400': 'configuration limit exceeded',
};

/** SQLSTATE classes that are transient as a whole. */
const transientSqlClasses: Record<string, string> = {
  '08': 'connection exception: the connection to Postgres broke',
};

/**
 * SQLSTATEs that say the server itself is going away or not there yet, as
 * opposed to a conflict between transactions: when one of these (or a lost
 * connection) ends a handler's transaction, the fault is the database's.
 */
const serverUnavailableSqlStates = new Set(['57P01', '57P02', '57P03']);

/** Node socket errors: the peer is down or unreachable for now. */
const transientSocketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The one table that decides what a failure means: retry in place
 * (transient) or park (permanent). Unknown errors are permanent: a handler
 * bug does not heal by retrying, and parking keeps the event for re-drive.
 */
export function classifyFailure(error: unknown): Classification {
  if (error instanceof ConsumerError) {
    return {
      kind: error.code === 'TRANSIENT' ? 'transient' : 'permanent',
      errorClass: `consumer:${error.code}`,
    };
  }

  if (error instanceof SchemaError) {
    return {
      kind: error.retriable ? 'transient' : 'permanent',
      errorClass: `schema:${error.code}`,
    };
  }

  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (transientSocketCodes.has(code)) {
      return { kind: 'transient', errorClass: `socket:${code}` };
    }
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const transient = code in transientSqlStates || code.slice(0, 2) in transientSqlClasses;
      return { kind: transient ? 'transient' : 'permanent', errorClass: `sqlstate:${code}` };
    }
  }

  // kafkajs marks its own errors.
  if ((error as { retriable?: unknown } | null)?.retriable === true) {
    return { kind: 'transient', errorClass: errorName(error) };
  }

  return { kind: 'permanent', errorClass: errorName(error) };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Whether a failed handler transaction failed because its own database was
 * unavailable (the connection dropped, the server shut down or is starting),
 * rather than because of the event or the handler.
 */
export function isDatabaseUnavailable(error: unknown, connectionLost: boolean): boolean {
  if (connectionLost) {
    return true;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (serverUnavailableSqlStates.has(code) ||
      (/^[0-9A-Z]{5}$/.test(code) && code.slice(0, 2) in transientSqlClasses))
  );
}
