/** The states of a saga instance; the last three are terminal. */
export type SagaState = 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';

export const terminalStates: readonly SagaState[] = ['COMPLETED', 'COMPENSATED', 'FAILED'];

export function isTerminal(state: SagaState): boolean {
  return terminalStates.includes(state);
}

/** Why the forward path was given up and compensation started. */
export type AbortReason =
  /** A step's participant answered with one of the step's failure replies. */
  | 'STEP_FAILED'
  /** A step's deadline passed without a reply. */
  | 'STEP_TIMED_OUT';

/** Why a saga ended FAILED. */
export type FailureReason =
  /** A compensation was sent its maximum number of times and never confirmed. */
  | 'COMPENSATION_EXHAUSTED'
  /** The engine could not process the saga's deadline (a definition's builder throws, say). */
  | 'ENGINE_ERROR';

/** What one transition did; one row per kind in `saga_transitions`, one version each. */
export type TransitionKind =
  | 'STARTED'
  | 'STEP_SUCCEEDED'
  | 'STEP_FAILED'
  | 'STEP_TIMED_OUT'
  | 'COMPENSATION_CONFIRMED'
  | 'COMPENSATION_RESENT'
  | 'COMPENSATION_EXHAUSTED'
  | 'ENGINE_ERROR';

/** The mutable part of an instance: what a transition reads and writes. */
export interface SagaProgress {
  state: SagaState;
  /** The step running, or the last one that ran. */
  stepIndex: number;
  data: unknown;
  /** Steps whose success reply arrived, in order. */
  completedSteps: number[];
  /** Steps whose compensation runs, in the order it runs (reverse of the steps). */
  compensationPlan: number[];
  /** Position in `compensationPlan` of the compensation in flight. */
  compensationCursor: number | null;
  /** Times the compensation in flight was sent, the first included. */
  compensationAttempts: number;
  abortReason: AbortReason | null;
  abortStep: number | null;
  abortReplyType: string | null;
  failureReason: FailureReason | null;
  failureDetail: string | null;
}

/** A saga instance as stored, in domain terms. */
export interface SagaInstance extends SagaProgress {
  id: string;
  sagaName: string;
  version: number;
  deadlineAt: Date | null;
  correlationId: string | null;
  traceparent: string | null;
  createdAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

/** One row of `saga_transitions`: what happened at one version of an instance. */
export interface SagaTransition {
  sagaId: string;
  version: number;
  kind: TransitionKind;
  fromState: SagaState | null;
  toState: SagaState;
  stepIndex: number;
  stepName: string;
  replyType: string | null;
  replyEventId: string | null;
  /** The record types of the commands this transition sent, in order (a hook's included). */
  commands: string[];
  at: Date;
}
