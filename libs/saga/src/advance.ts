import type { Transaction } from '@eventline/db';
import type { Logger } from '@eventline/observability';

import type { RuntimeCommand, RuntimeDefinition, SagaAbort } from './definition';
import { SagaError } from './errors';
import { isTerminal, type SagaInstance, type SagaProgress, type SagaState } from './instance';
import { insertTransition, saveProgress } from './store';
import { deadlineMsOf, stepAt, type Decision, type Send } from './transition';

/** Writes a command to the outbox in the transaction at hand, keyed by the saga id. */
export type SendCommand = (command: RuntimeCommand) => Promise<string>;

export interface Advanced {
  version: number;
  from: SagaState;
  to: SagaState;
  /** The step the transition concerned. */
  step: string;
  /** Record types of the commands sent, in order. */
  commands: string[];
}

/** What caused a transition, for the transitions table. */
export interface Cause {
  replyType?: string;
  replyEventId?: string;
}

/**
 * Applies a decision inside `tx`: stores the next progress (new version and
 * deadline), sends the command it calls for, records the transition and,
 * when the saga ends, runs the definition's hook in the same transaction.
 */
export async function advance(
  tx: Transaction,
  definition: RuntimeDefinition,
  instance: SagaInstance,
  decision: Extract<Decision, { kind: 'apply' }>,
  send: SendCommand,
  cause: Cause,
): Promise<Advanced> {
  // What a later transition loads is the JSON form; builders and hooks see the same now.
  const next: SagaProgress = { ...decision.next, data: asStored(decision.next.data) };
  const version = await saveProgress(tx, instance, next, deadlineMsOf(definition, next));

  const commands: string[] = [];
  const sendAndNote: SendCommand = (command) => {
    commands.push(command.type);
    return send(command);
  };
  if (decision.send) {
    await sendAndNote(buildCommand(definition, decision.send, next.data, instance.id));
  }
  if (isTerminal(next.state)) {
    await runHook(tx, definition, instance.id, next, sendAndNote);
  }

  const step = stepAt(definition, decision.stepIndex).name;
  await insertTransition(tx, {
    sagaId: instance.id,
    version,
    kind: decision.transition,
    fromState: instance.state,
    toState: next.state,
    stepIndex: decision.stepIndex,
    stepName: step,
    ...cause,
    commands,
  });
  return { version, from: instance.state, to: next.state, step, commands };
}

export function buildCommand(
  definition: RuntimeDefinition,
  send: Send,
  data: unknown,
  sagaId: string,
): RuntimeCommand {
  const step = stepAt(definition, send.stepIndex);
  const builder = send.role === 'step' ? step.command : step.compensation?.command;
  if (!builder) {
    // decide() plans only compensations that exist: the definition changed under the instance.
    throw new SagaError(
      'INSTANCE_CORRUPT',
      `Step ${step.name} of saga ${definition.name} has no compensation`,
    );
  }
  return builder(data, sagaId);
}

async function runHook(
  tx: Transaction,
  definition: RuntimeDefinition,
  sagaId: string,
  progress: SagaProgress,
  send: SendCommand,
): Promise<void> {
  const hook =
    progress.state === 'COMPLETED'
      ? definition.onCompleted
      : progress.state === 'COMPENSATED'
        ? definition.onCompensated
        : definition.onFailed;
  if (!hook) {
    return;
  }

  const abort = abortOf(definition, progress);
  await hook({
    sagaId,
    data: progress.data,
    tx,
    send,
    ...(abort ? { abort } : {}),
    ...(progress.failureReason ? { failure: progress.failureReason } : {}),
  });
}

function abortOf(definition: RuntimeDefinition, progress: SagaProgress): SagaAbort | undefined {
  if (progress.abortReason === null || progress.abortStep === null) {
    return undefined;
  }
  return {
    reason: progress.abortReason,
    step: stepAt(definition, progress.abortStep).name,
    ...(progress.abortReplyType === null ? {} : { replyType: progress.abortReplyType }),
  };
}

/** The value as it comes back from the jsonb column. */
export function asStored(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data ?? null));
}

/** Log fields of one saga, with the keys the house style fixes. */
export function sagaFields(sagaId: string, saga: string, step?: string): Record<string, unknown> {
  return step === undefined ? { sagaId, saga } : { sagaId, saga, step };
}

/** Logs a transition: warnings for what an operator may want to look at, debug for the rest. */
export function logAdvanced(
  logger: Logger,
  instance: SagaInstance,
  decision: Extract<Decision, { kind: 'apply' }>,
  advanced: Advanced,
): void {
  const fields = {
    ...sagaFields(instance.id, instance.sagaName, advanced.step),
    transition: decision.transition,
    state: advanced.to,
    version: advanced.version,
  };
  switch (decision.transition) {
    case 'STEP_TIMED_OUT':
      logger.warn(fields, 'A saga step passed its deadline without a reply; compensating');
      return;
    case 'COMPENSATION_RESENT':
      logger.warn(
        { ...fields, attempt: decision.next.compensationAttempts },
        'A compensation was not confirmed in time; sent again',
      );
      return;
    case 'COMPENSATION_CONFIRMED':
      if (advanced.to === 'FAILED') {
        logger.error(
          { ...fields, detail: decision.next.failureDetail },
          'Saga FAILED: a compensation was never confirmed; an operator must finish it',
        );
        return;
      }
      logger.debug(fields, 'Saga moved');
      return;
    case 'COMPENSATION_EXHAUSTED':
      logger.error(
        { ...fields, detail: decision.next.failureDetail },
        decision.next.state === 'FAILED'
          ? 'Saga FAILED: a compensation was never confirmed; an operator must finish it'
          : 'A compensation was never confirmed; the others still run, then the saga ends FAILED',
      );
      return;
    default:
      logger.debug(fields, 'Saga moved');
  }
}
