/**
 * The saga orchestrator. One instance row per saga; every move happens in
 * one transaction that locks the row, bumps its version, writes a
 * transitions row and puts the next command in the outbox:
 *
 *   start ──▶ RUNNING(step 0)
 *               │ success reply of step i ──▶ RUNNING(step i+1), its command sent
 *               │ success reply of the last step ──▶ COMPLETED ─ onCompleted
 *               │ failure reply, or the step deadline passes
 *               ▼
 *             plan = completed steps with a compensation, newest first
 *                    (the timed-out step first when compensateOnTimeout)
 *               │ plan empty ──▶ COMPENSATED ─ onCompensated
 *               ▼
 *             COMPENSATING(plan[k]), its compensation sent (attempt 1)
 *               │ confirming reply ──▶ plan[k+1] sent, or COMPENSATED ─ onCompensated
 *               │                        (FAILED ─ onFailed when one was never confirmed)
 *               │ deadline, attempts < compensationAttempts ──▶ sent again (attempt + 1)
 *               │ deadline, attempts spent ──▶ plan[k+1] sent, the saga marked to fail;
 *               │                              after the last: FAILED ─ onFailed, alert
 *               │
 *   any active state: the watcher cannot handle a deadline (permanent error)
 *               ──▶ FAILED (ENGINE_ERROR), alert, no hook
 *
 * Replies arrive through the consumer runtime: each is handled in the
 * consumer's transaction with its inbox row, so a redelivered reply has no
 * second effect, and the commands go out through `publish` of that same
 * transaction (causation = the reply, trace continued). A reply the saga is
 * not waiting for (late, repeated, or after the end) changes nothing.
 * Deadlines are found by the watcher (deadline-watcher.ts); a reply that
 * takes the row lock before the watcher does still counts, even if the
 * deadline passed a moment earlier.
 */
import { permanentError, type EventConsumer, type HandlerContext } from '@eventline/consumer';
import type { Transaction } from '@eventline/db';
import type { EventMetadata, OutboxEvent } from '@eventline/outbox';

import { advance, asStored, logAdvanced, sagaFields, type SendCommand } from './advance';
import { createDeadlineWatcher } from './deadline-watcher';
import type { RuntimeDefinition, Saga } from './definition';
import type { EngineDeps } from './engine-deps';
import { SagaError } from './errors';
import { isTerminal } from './instance';
import { createSagaMetrics } from './metrics';
import { resolveOptions, type SagaEngineOptions } from './options';
import { insertInstance, insertTransition, lockInstance } from './store';
import { decide, stepAt } from './transition';

/**
 * Where a saga is started: a transaction, and (from a consumer handler) the
 * handler's `publish` and event. A consumer's HandlerContext is one.
 */
export interface SagaStartContext<Types> {
  tx: Transaction;
  /** Sends the first command carrying the event forward; without it the engine's publisher sends it. */
  publish?: <N extends keyof Types & string>(event: OutboxEvent<Types, N>) => Promise<string>;
  /** The event that starts the saga: its correlation id and trace are kept for the watcher. */
  event?: { id: string; metadata: EventMetadata };
}

export type ReplyOutcome = 'applied' | 'ignored';

export interface SagaEngine<Types> {
  /** Every record type some saga takes as a reply; the orchestrator consumes their topics. */
  readonly replyTypes: (keyof Types & string)[];
  /** Registers one handler per reply type on the orchestrator's consumer, named `saga:<type>`. */
  register(consumer: EventConsumer<Types>): void;
  /**
   * Inserts the instance and sends its first command in `context.tx`.
   * Returns false, sending nothing, when an instance with this id exists:
   * starting twice is harmless.
   */
  start<Data>(
    context: SagaStartContext<Types>,
    saga: Saga<Types, Data>,
    sagaId: string,
    data: NoInfer<Data>,
  ): Promise<boolean>;
  /** Handles one reply in a consumer's transaction; what the registered handlers call. */
  handleReply(context: HandlerContext<Types, unknown>): Promise<ReplyOutcome>;
  /** Polls for passed deadlines every `deadlineIntervalMs` until stop(). */
  startDeadlineWatcher(): void;
  /** One pass over the passed deadlines; returns how many instances moved. */
  checkDeadlines(): Promise<number>;
  /** Stops the deadline watcher, waiting for its pass in flight. */
  stop(): Promise<void>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSagaEngine<Types>(input: SagaEngineOptions<Types>): SagaEngine<Types> {
  const options = resolveOptions(input);
  const { logger } = options;
  const metrics = createSagaMetrics(options.metricsRegistry);
  const definitions = new Map<string, RuntimeDefinition>(
    options.sagas.map((saga) => [saga.name, saga.definition]),
  );
  const deps: EngineDeps<Types> = {
    options,
    metrics,
    logger,
    findDefinition: (name) => definitions.get(name),
    definitionOf(name) {
      const definition = definitions.get(name);
      if (!definition) {
        throw new SagaError('UNKNOWN_SAGA', `No saga named ${name} is defined in this engine`);
      }
      return definition;
    },
  };
  const watcher = createDeadlineWatcher(deps);
  const replyTypes = [...new Set([...definitions.values()].flatMap(replyTypesOf))] as (keyof Types &
    string)[];

  function publishVia(publish: NonNullable<SagaStartContext<Types>['publish']>, sagaId: string) {
    const send: SendCommand = (command) =>
      publish({ ...command, key: sagaId } as OutboxEvent<Types>);
    return send;
  }

  async function start<Data>(
    context: SagaStartContext<Types>,
    saga: Saga<Types, Data>,
    sagaId: string,
    data: Data,
  ): Promise<boolean> {
    const definition = definitions.get(saga.name);
    if (definition !== saga.definition) {
      throw new SagaError('UNKNOWN_SAGA', `Saga ${saga.name} was not given to this engine`);
    }
    if (!uuidPattern.test(sagaId)) {
      throw new SagaError('SAGA_ID_INVALID', `Saga id ${sagaId} is not a UUID`);
    }

    const { tx, event } = context;
    const stored = asStored(data);
    const first = stepAt(definition, 0);
    // The same correlation id the consumer's publish gives the first command.
    const correlationId = uuidOr(event?.metadata.correlationId ?? event?.id, sagaId);
    const traceparent = event?.metadata.traceparent ?? null;
    const inserted = await insertInstance(tx, {
      id: sagaId,
      sagaName: saga.name,
      data: stored,
      deadlineMs: first.deadlineMs,
      correlationId,
      traceparent,
    });
    if (!inserted) {
      logger.debug(sagaFields(sagaId, saga.name), 'Saga exists already; not started again');
      return false;
    }

    const send = context.publish
      ? publishVia(context.publish, sagaId)
      : (command: Parameters<SendCommand>[0]) =>
          options.publisher.publish(tx, {
            ...command,
            key: sagaId,
            metadata: {
              correlationId,
              causationId: uuidOr(event?.id, sagaId),
              ...(traceparent === null ? {} : { traceparent }),
            },
          } as OutboxEvent<Types>);
    const command = first.command(stored, sagaId);
    await send(command);
    await insertTransition(tx, {
      sagaId,
      version: 1,
      kind: 'STARTED',
      fromState: null,
      toState: 'RUNNING',
      stepIndex: 0,
      stepName: first.name,
      commands: [command.type],
      ...(event ? { replyEventId: event.id } : {}),
    });

    metrics.started.inc({ saga: saga.name });
    metrics.transitions.inc({ saga: saga.name, kind: 'STARTED' });
    logger.debug(sagaFields(sagaId, saga.name, first.name), 'Saga started');
    return true;
  }

  async function handleReply(context: HandlerContext<Types, unknown>): Promise<ReplyOutcome> {
    const { event, tx } = context;
    const sagaId = (event.value as { sagaId?: unknown } | null)?.sagaId;
    if (typeof sagaId !== 'string' || !uuidPattern.test(sagaId)) {
      throw permanentError(`Reply ${event.type} ${event.id} carries no saga id that is a UUID`);
    }

    const instance = await lockInstance(tx, sagaId);
    if (!instance) {
      // Another orchestrator's saga may share the reply topic; nothing of ours to move.
      metrics.ignored.inc({ saga: '', reason: 'unknown-saga' });
      logger.debug({ sagaId, replyType: event.type }, 'Reply for no known saga ignored');
      return 'ignored';
    }

    const definition = deps.definitionOf(instance.sagaName);
    const trigger = { kind: 'reply' as const, type: event.type, value: event.value };
    const decision = decide(definition, instance, trigger, options.compensationAttempts);
    if (decision.kind === 'ignore') {
      const fields = {
        ...sagaFields(instance.id, instance.sagaName),
        replyType: event.type,
        eventId: event.id,
        state: instance.state,
      };
      if (decision.uncompensatedEffect) {
        logger.warn(fields, 'A step succeeded after its deadline; nothing compensates its effect');
      } else {
        logger.debug(fields, 'Reply the saga is not waiting for ignored');
      }
      metrics.ignored.inc({ saga: instance.sagaName, reason: decision.reason });
      return 'ignored';
    }

    const advanced = await advance(
      tx,
      definition,
      instance,
      decision,
      publishVia(context.publish, instance.id),
      { replyType: event.type, replyEventId: event.id },
    );
    metrics.transitions.inc({ saga: instance.sagaName, kind: decision.transition });
    if (isTerminal(advanced.to)) {
      metrics.ended.inc({ saga: instance.sagaName, state: advanced.to });
    }
    if (advanced.to === 'FAILED') {
      // The last compensation confirmed, after an earlier one was never.
      metrics.failed.inc({ saga: instance.sagaName, reason: 'COMPENSATION_EXHAUSTED' });
    }
    logAdvanced(logger, instance, decision, advanced);
    return 'applied';
  }

  return {
    replyTypes,

    register(consumer) {
      for (const type of replyTypes) {
        consumer.on(type, `saga:${type}`, async (context) => {
          await handleReply(context);
        });
      }
    },

    start,
    handleReply,
    startDeadlineWatcher: () => watcher.start(),
    checkDeadlines: () => watcher.checkOnce(),
    stop: () => watcher.stop(),
  };
}

function replyTypesOf(definition: RuntimeDefinition): string[] {
  return definition.steps.flatMap((step) => [
    ...Object.keys(step.succeedsOn),
    ...Object.keys(step.failsOn ?? {}),
    ...(step.compensation ? [step.compensation.confirmedBy] : []),
  ]);
}

function uuidOr(value: string | undefined, fallback: string): string {
  return value !== undefined && uuidPattern.test(value) ? value : fallback;
}
