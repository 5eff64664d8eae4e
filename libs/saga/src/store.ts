import type { Pool, Transaction } from '@eventline/db';

import { SagaError } from './errors';
import type {
  AbortReason,
  FailureReason,
  SagaInstance,
  SagaProgress,
  SagaState,
  SagaTransition,
  TransitionKind,
} from './instance';

/** Anything that runs a query: the pool for reads, a transaction for the rest. */
export type Queryable = Pool | Transaction;

/** A row of `saga_instances`, as pg returns it. */
export interface SagaInstanceRow {
  id: string;
  saga_name: string;
  state: SagaState;
  step_index: number;
  data: unknown;
  version: number;
  deadline_at: Date | null;
  completed_steps: number[];
  compensation_plan: number[];
  compensation_cursor: number | null;
  compensation_attempts: number;
  abort_reason: AbortReason | null;
  abort_step: number | null;
  abort_reply_type: string | null;
  failure_reason: FailureReason | null;
  failure_detail: string | null;
  correlation_id: string | null;
  traceparent: string | null;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

/** A row of `saga_transitions`, as pg returns it. */
export interface SagaTransitionRow {
  saga_id: string;
  version: number;
  kind: TransitionKind;
  from_state: SagaState | null;
  to_state: SagaState;
  step_index: number;
  step_name: string;
  reply_type: string | null;
  reply_event_id: string | null;
  commands: string[];
  at: Date;
}

export interface NewInstance {
  id: string;
  sagaName: string;
  data: unknown;
  deadlineMs: number;
  correlationId: string | null;
  traceparent: string | null;
}

export interface TransitionRecord {
  sagaId: string;
  version: number;
  kind: TransitionKind;
  fromState: SagaState | null;
  toState: SagaState;
  stepIndex: number;
  stepName: string;
  replyType?: string;
  replyEventId?: string;
  commands: string[];
}

const deadlineSql = (param: string) =>
  `CASE WHEN ${param}::integer IS NULL THEN NULL
        ELSE now() + ${param}::integer * interval '1 millisecond' END`;

/** Inserts a RUNNING instance at step 0, version 1. False when the id exists already. */
export async function insertInstance(tx: Transaction, instance: NewInstance): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO saga_instances
       (id, saga_name, state, step_index, data, version, deadline_at, correlation_id, traceparent)
     VALUES ($1, $2, 'RUNNING', 0, $3, 1, ${deadlineSql('$4')}, $5, $6)
     ON CONFLICT (id) DO NOTHING`,
    [
      instance.id,
      instance.sagaName,
      JSON.stringify(instance.data),
      instance.deadlineMs,
      instance.correlationId,
      instance.traceparent,
    ],
  );
  return rowCount === 1;
}

/**
 * Loads an instance and locks it until the transaction ends: a second reply
 * of the same saga (from another partition) waits here, then sees the
 * outcome of the first.
 */
export async function lockInstance(tx: Transaction, id: string): Promise<SagaInstance | undefined> {
  const { rows } = await tx.query<SagaInstanceRow>(
    'SELECT * FROM saga_instances WHERE id = $1 FOR UPDATE',
    [id],
  );
  return rows[0] && toInstance(rows[0]);
}

/**
 * Locks the active instance whose deadline passed longest ago. SKIP LOCKED:
 * one being moved by a reply, or by another orchestrator's watcher, is left
 * to it; when that transaction commits, the deadline has moved anyway.
 */
export async function lockDueInstance(tx: Transaction): Promise<SagaInstance | undefined> {
  const { rows } = await tx.query<SagaInstanceRow>(
    `SELECT * FROM saga_instances
     WHERE deadline_at IS NOT NULL AND deadline_at <= now()
     ORDER BY deadline_at
     LIMIT 1
     FOR UPDATE SKIP LOCKED`,
  );
  return rows[0] && toInstance(rows[0]);
}

/**
 * Writes an instance's next progress and bumps its version; returns the new
 * version. The deadline is `deadlineMs` from now, or none for a terminal
 * state. Guarded by the version the caller read under its lock.
 */
export async function saveProgress(
  tx: Transaction,
  instance: SagaInstance,
  next: SagaProgress,
  deadlineMs: number | undefined,
): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `UPDATE saga_instances SET
       state = $3, step_index = $4, data = $5, completed_steps = $6, compensation_plan = $7,
       compensation_cursor = $8, compensation_attempts = $9, abort_reason = $10,
       abort_step = $11, abort_reply_type = $12, failure_reason = $13, failure_detail = $14,
       deadline_at = ${deadlineSql('$15')},
       ended_at = CASE WHEN $15::integer IS NULL THEN now() END,
       version = version + 1, updated_at = now()
     WHERE id = $1 AND version = $2
     RETURNING version`,
    [
      instance.id,
      instance.version,
      next.state,
      next.stepIndex,
      JSON.stringify(next.data),
      next.completedSteps,
      next.compensationPlan,
      next.compensationCursor,
      next.compensationAttempts,
      next.abortReason,
      next.abortStep,
      next.abortReplyType,
      next.failureReason,
      next.failureDetail,
      deadlineMs ?? null,
    ],
  );
  const version = rows[0]?.version;
  if (version === undefined) {
    throw new SagaError(
      'INSTANCE_CORRUPT',
      `Saga ${instance.id} changed under its lock (expected version ${instance.version})`,
    );
  }
  return version;
}

export async function insertTransition(tx: Transaction, record: TransitionRecord): Promise<void> {
  await tx.query(
    `INSERT INTO saga_transitions (saga_id, version, kind, from_state, to_state, step_index,
       step_name, reply_type, reply_event_id, commands)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      record.sagaId,
      record.version,
      record.kind,
      record.fromState,
      record.toState,
      record.stepIndex,
      record.stepName,
      record.replyType ?? null,
      record.replyEventId ?? null,
      record.commands,
    ],
  );
}

/** One saga instance, or undefined; for progress pages and tools. Takes no lock. */
export async function readSagaInstance(
  db: Queryable,
  sagaId: string,
): Promise<SagaInstance | undefined> {
  const { rows } = await db.query<SagaInstanceRow>('SELECT * FROM saga_instances WHERE id = $1', [
    sagaId,
  ]);
  return rows[0] && toInstance(rows[0]);
}

/** An instance's transitions, oldest first. */
export async function readSagaTransitions(
  db: Queryable,
  sagaId: string,
): Promise<SagaTransition[]> {
  const { rows } = await db.query<SagaTransitionRow>(
    'SELECT * FROM saga_transitions WHERE saga_id = $1 ORDER BY version',
    [sagaId],
  );
  return rows.map((row) => ({
    sagaId: row.saga_id,
    version: row.version,
    kind: row.kind,
    fromState: row.from_state,
    toState: row.to_state,
    stepIndex: row.step_index,
    stepName: row.step_name,
    replyType: row.reply_type,
    replyEventId: row.reply_event_id,
    commands: row.commands,
    at: row.at,
  }));
}

function toInstance(row: SagaInstanceRow): SagaInstance {
  return {
    id: row.id,
    sagaName: row.saga_name,
    state: row.state,
    stepIndex: row.step_index,
    data: row.data,
    version: row.version,
    deadlineAt: row.deadline_at,
    completedSteps: row.completed_steps,
    compensationPlan: row.compensation_plan,
    compensationCursor: row.compensation_cursor,
    compensationAttempts: row.compensation_attempts,
    abortReason: row.abort_reason,
    abortStep: row.abort_step,
    abortReplyType: row.abort_reply_type,
    failureReason: row.failure_reason,
    failureDetail: row.failure_detail,
    correlationId: row.correlation_id,
    traceparent: row.traceparent,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}
