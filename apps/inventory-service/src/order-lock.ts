import type { Transaction } from '@eventline/db';

// The first key of Postgres's two-key advisory locks. Two-key locks are a key
// space apart from the one-key locks that the migrations and the consumer's
// per-key lock take, so they cannot collide with those.
const orderLockSpace = 2_001;

/**
 * Serializes the work on one order until the transaction ends. The consumer
 * runs one saga's commands in order, but commands of two sagas for the same
 * order arrive under different keys, so on different partitions and possibly
 * at the same time; without this lock both could find no reservation and both
 * reserve.
 */
export async function lockOrder(tx: Transaction, orderId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [orderLockSpace, orderId]);
}
