import type { RuntimeDefinition, RuntimeReducer, RuntimeStep } from './definition';
import { SagaError } from './errors';
import { isTerminal, type AbortReason, type SagaProgress, type TransitionKind } from './instance';

/** What happened to a saga: a reply arrived, or its deadline passed. */
export type Trigger = { kind: 'reply'; type: string; value: unknown } | { kind: 'deadline' };

export type IgnoreReason =
  /** The saga has ended; nothing changes it any more. */
  | 'terminal'
  /** The saga is not waiting for this reply type now (a late or repeated reply). */
  | 'not-awaited';

/** A command to send after the transition: a step's or a step's compensation. */
export interface Send {
  stepIndex: number;
  role: 'step' | 'compensation';
}

export type Decision =
  | {
      kind: 'ignore';
      reason: IgnoreReason;
      /**
       * True for a success reply of a step that timed out and was not
       * compensated: its participant acted and nothing will undo it.
       */
      uncompensatedEffect: boolean;
    }
  | {
      kind: 'apply';
      transition: TransitionKind;
      /** The step the trigger concerned (the compensated one while compensating). */
      stepIndex: number;
      next: SagaProgress;
      send?: Send;
    };

/**
 * The state machine of engine.ts as a pure function: the next progress of
 * an instance, and the command to send, for one trigger. Reducers and
 * nothing else of the definition are called here.
 */
export function decide(
  definition: RuntimeDefinition,
  progress: SagaProgress,
  trigger: Trigger,
  compensationAttempts: number,
): Decision {
  if (isTerminal(progress.state)) {
    return { kind: 'ignore', reason: 'terminal', uncompensatedEffect: false };
  }

  if (progress.state === 'COMPENSATING') {
    return decideCompensating(definition, progress, trigger, compensationAttempts);
  }

  const i = progress.stepIndex;
  const step = stepAt(definition, i);
  if (trigger.kind === 'deadline') {
    return abort(definition, progress, 'STEP_TIMED_OUT', null, progress.data);
  }

  const succeeded = reducerOf(step.succeedsOn, trigger.type);
  if (succeeded) {
    const next: SagaProgress = {
      ...progress,
      data: succeeded(progress.data, trigger.value) ?? progress.data,
      completedSteps: [...progress.completedSteps, i],
    };
    if (i + 1 < definition.steps.length) {
      return {
        kind: 'apply',
        transition: 'STEP_SUCCEEDED',
        stepIndex: i,
        next: { ...next, stepIndex: i + 1 },
        send: { stepIndex: i + 1, role: 'step' },
      };
    }
    return {
      kind: 'apply',
      transition: 'STEP_SUCCEEDED',
      stepIndex: i,
      next: { ...next, state: 'COMPLETED' },
    };
  }

  const failed = reducerOf(step.failsOn ?? {}, trigger.type);
  if (failed) {
    const data = failed(progress.data, trigger.value) ?? progress.data;
    return abort(definition, progress, 'STEP_FAILED', trigger.type, data);
  }

  return ignoreNotAwaited(definition, progress, trigger.type);
}

function decideCompensating(
  definition: RuntimeDefinition,
  progress: SagaProgress,
  trigger: Trigger,
  compensationAttempts: number,
): Decision {
  const cursor = progress.compensationCursor ?? -1;
  const stepIndex = progress.compensationPlan[cursor];
  const compensation =
    stepIndex === undefined ? undefined : definition.steps[stepIndex]?.compensation;
  if (stepIndex === undefined || !compensation) {
    throw new SagaError(
      'INSTANCE_CORRUPT',
      `Compensation cursor ${cursor} names no compensation of saga ${definition.name}`,
    );
  }

  if (trigger.kind === 'deadline') {
    if (progress.compensationAttempts < compensationAttempts) {
      return {
        kind: 'apply',
        transition: 'COMPENSATION_RESENT',
        stepIndex,
        next: { ...progress, compensationAttempts: progress.compensationAttempts + 1 },
        send: { stepIndex, role: 'compensation' },
      };
    }
    // The saga will end FAILED, but the compensations after this one undo
    // other participants' effects that do not depend on it: they still run.
    const detail =
      `The compensation of step ${definition.steps[stepIndex]?.name} was sent ` +
      `${progress.compensationAttempts} times without ${compensation.confirmedBy}`;
    const failed: SagaProgress = {
      ...progress,
      failureReason: 'COMPENSATION_EXHAUSTED',
      failureDetail: progress.failureDetail ? `${progress.failureDetail}; ${detail}` : detail,
    };
    const nextStep = progress.compensationPlan[cursor + 1];
    if (nextStep === undefined) {
      return {
        kind: 'apply',
        transition: 'COMPENSATION_EXHAUSTED',
        stepIndex,
        next: { ...failed, state: 'FAILED' },
      };
    }
    return {
      kind: 'apply',
      transition: 'COMPENSATION_EXHAUSTED',
      stepIndex,
      next: { ...failed, compensationCursor: cursor + 1, compensationAttempts: 1 },
      send: { stepIndex: nextStep, role: 'compensation' },
    };
  }

  if (trigger.type !== compensation.confirmedBy) {
    return ignoreNotAwaited(definition, progress, trigger.type);
  }

  const nextCursor = cursor + 1;
  const nextStep = progress.compensationPlan[nextCursor];
  if (nextStep === undefined) {
    return {
      kind: 'apply',
      transition: 'COMPENSATION_CONFIRMED',
      stepIndex,
      // An earlier compensation that was never confirmed still fails the saga.
      next: { ...progress, state: progress.failureReason ? 'FAILED' : 'COMPENSATED' },
    };
  }
  return {
    kind: 'apply',
    transition: 'COMPENSATION_CONFIRMED',
    stepIndex,
    next: { ...progress, compensationCursor: nextCursor, compensationAttempts: 1 },
    send: { stepIndex: nextStep, role: 'compensation' },
  };
}

/**
 * Gives up the forward path at the current step: compensations run for the
 * completed steps that have one, newest first, preceded by the current
 * step's own when it timed out and asks for that.
 */
function abort(
  definition: RuntimeDefinition,
  progress: SagaProgress,
  reason: AbortReason,
  replyType: string | null,
  data: unknown,
): Decision {
  const i = progress.stepIndex;
  const current = stepAt(definition, i);
  const plan = [...progress.completedSteps]
    .reverse()
    .filter((j) => definition.steps[j]?.compensation !== undefined);
  if (reason === 'STEP_TIMED_OUT' && current.compensateOnTimeout && current.compensation) {
    plan.unshift(i);
  }

  const next: SagaProgress = {
    ...progress,
    data,
    abortReason: reason,
    abortStep: i,
    abortReplyType: replyType,
    compensationPlan: plan,
  };
  const first = plan[0];
  if (first === undefined) {
    return {
      kind: 'apply',
      transition: reason,
      stepIndex: i,
      next: { ...next, state: 'COMPENSATED' },
    };
  }
  return {
    kind: 'apply',
    transition: reason,
    stepIndex: i,
    next: { ...next, state: 'COMPENSATING', compensationCursor: 0, compensationAttempts: 1 },
    send: { stepIndex: first, role: 'compensation' },
  };
}

function ignoreNotAwaited(
  definition: RuntimeDefinition,
  progress: SagaProgress,
  type: string,
): Decision {
  const aborted = progress.abortStep === null ? undefined : definition.steps[progress.abortStep];
  const uncompensatedEffect =
    progress.abortReason === 'STEP_TIMED_OUT' &&
    aborted !== undefined &&
    reducerOf(aborted.succeedsOn, type) !== undefined &&
    !progress.compensationPlan.includes(progress.abortStep as number);
  return { kind: 'ignore', reason: 'not-awaited', uncompensatedEffect };
}

/** The deadline of the state `progress` is in, in ms from now; undefined when terminal. */
export function deadlineMsOf(
  definition: RuntimeDefinition,
  progress: SagaProgress,
): number | undefined {
  if (progress.state === 'RUNNING') {
    return stepAt(definition, progress.stepIndex).deadlineMs;
  }
  if (progress.state === 'COMPENSATING') {
    const stepIndex = progress.compensationPlan[progress.compensationCursor ?? -1] ?? -1;
    const step = stepAt(definition, stepIndex);
    return step.compensation?.deadlineMs ?? step.deadlineMs;
  }
  return undefined;
}

export function stepAt(definition: RuntimeDefinition, index: number): RuntimeStep {
  const step = definition.steps[index];
  if (!step) {
    throw new SagaError(
      'INSTANCE_CORRUPT',
      `Saga ${definition.name} has no step ${index}; was a step removed while instances ran?`,
    );
  }
  return step;
}

function reducerOf(
  reducers: Record<string, RuntimeReducer | undefined>,
  type: string,
): RuntimeReducer | undefined {
  if (!Object.hasOwn(reducers, type)) {
    return undefined;
  }
  // A type listed without a function keeps the data as it is.
  return reducers[type] ?? (() => undefined);
}
