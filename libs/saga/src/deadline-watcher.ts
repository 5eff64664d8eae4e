import { childTraceparent, classifyFailure } from '@eventline/consumer';
import { withTransaction, type Transaction } from '@eventline/db';
import type { OutboxEvent } from '@eventline/outbox';

import { advance, logAdvanced, sagaFields, type SendCommand } from './advance';
import type { EngineDeps } from './engine-deps';
import { isTerminal, type SagaInstance, type SagaProgress } from './instance';
import { insertTransition, lockDueInstance, lockInstance, saveProgress } from './store';
import { decide } from './transition';

export interface DeadlineWatcher {
  /** Polls every `deadlineIntervalMs` until stop(); a second call does nothing. */
  start(): void;
  /**
   * Handles the instances whose deadline has passed, each in its own
   * transaction, up to `deadlineBatchSize`; returns how many it moved.
   */
  checkOnce(): Promise<number>;
  /** Stops polling and waits for the pass in flight. */
  stop(): Promise<void>;
}

type PassOutcome = 'none' | 'moved' | 'postponed';

/**
 * The deadline watcher. Several orchestrator processes may run one each:
 * instances are taken with FOR UPDATE SKIP LOCKED, so each is handled by one
 * of them, and never while a reply handler holds it.
 */
export function createDeadlineWatcher<Types>(deps: EngineDeps<Types>): DeadlineWatcher {
  const { options, metrics, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let watching = false;
  let stopping = false;
  let pass: Promise<unknown> = Promise.resolve();

  /** Commands from the watcher have no event to inherit from: the saga is their cause. */
  function sendFrom(tx: Transaction, instance: SagaInstance): SendCommand {
    return (command) =>
      options.publisher.publish(tx, {
        ...command,
        key: instance.id,
        metadata: {
          correlationId: instance.correlationId ?? instance.id,
          causationId: instance.id,
          traceparent: childTraceparent(instance.traceparent ?? undefined),
        },
      } as OutboxEvent<Types>);
  }

  async function handleOne(): Promise<PassOutcome> {
    const taken: { instance?: SagaInstance } = {};
    try {
      const moved = await withTransaction(options.pool, async (tx) => {
        const instance = await lockDueInstance(tx);
        if (!instance) {
          return undefined;
        }

        taken.instance = instance;
        const definition = deps.definitionOf(instance.sagaName);
        const decision = decide(
          definition,
          instance,
          { kind: 'deadline' },
          options.compensationAttempts,
        );
        if (decision.kind === 'ignore') {
          // Only a terminal instance is ignored, and terminal ones have no deadline.
          return undefined;
        }
        const advanced = await advance(
          tx,
          definition,
          instance,
          decision,
          sendFrom(tx, instance),
          {},
        );
        return { instance, decision, advanced };
      });
      if (!moved) {
        return 'none';
      }

      const { instance, decision, advanced } = moved;
      metrics.transitions.inc({ saga: instance.sagaName, kind: decision.transition });
      if (isTerminal(advanced.to)) {
        metrics.ended.inc({ saga: instance.sagaName, state: advanced.to });
      }
      if (advanced.to === 'FAILED') {
        metrics.failed.inc({ saga: instance.sagaName, reason: 'COMPENSATION_EXHAUSTED' });
      }
      logAdvanced(logger, instance, decision, advanced);
      return 'moved';
    } catch (error) {
      const classification = classifyFailure(error);
      const instance = taken.instance;
      const fields = instance
        ? sagaFields(instance.id, instance.sagaName)
        : { sagaId: undefined, saga: undefined };
      if (!instance || classification.kind === 'transient') {
        logger.warn(
          { ...fields, errorClass: classification.errorClass, error: String(error) },
          'Could not handle a saga deadline; trying again on the next pass',
        );
        return 'postponed';
      }
      await failForEngineError(instance, error);
      return 'moved';
    }
  }

  /**
   * A deadline the engine cannot handle for a reason that will not heal (a
   * builder that throws, a definition that lost a step) would be retried on
   * every pass forever; the saga ends FAILED instead, with the alert.
   */
  async function failForEngineError(seen: SagaInstance, cause: unknown): Promise<void> {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    try {
      const failed = await withTransaction(options.pool, async (tx) => {
        const instance = await lockInstance(tx, seen.id);
        if (!instance || instance.version !== seen.version) {
          return false;
        }
        const next: SagaProgress = {
          ...instance,
          state: 'FAILED',
          failureReason: 'ENGINE_ERROR',
          failureDetail: detail,
        };
        const version = await saveProgress(tx, instance, next, undefined);
        await insertTransition(tx, {
          sagaId: instance.id,
          version,
          kind: 'ENGINE_ERROR',
          fromState: instance.state,
          toState: 'FAILED',
          stepIndex: instance.stepIndex,
          stepName: stepNameOf(instance) ?? `#${instance.stepIndex}`,
          commands: [],
        });
        return true;
      });
      if (!failed) {
        return;
      }
      metrics.transitions.inc({ saga: seen.sagaName, kind: 'ENGINE_ERROR' });
      metrics.ended.inc({ saga: seen.sagaName, state: 'FAILED' });
      metrics.failed.inc({ saga: seen.sagaName, reason: 'ENGINE_ERROR' });
      logger.error(
        { ...sagaFields(seen.id, seen.sagaName, stepNameOf(seen)), detail },
        'Saga FAILED: the engine could not handle its deadline; an operator must finish it',
      );
    } catch (error) {
      logger.error(
        { ...sagaFields(seen.id, seen.sagaName), error: String(error) },
        'Could not mark a saga FAILED; trying again on the next pass',
      );
    }
  }

  function stepNameOf(instance: SagaInstance): string | undefined {
    return deps.findDefinition(instance.sagaName)?.steps[instance.stepIndex]?.name;
  }

  async function checkOnce(): Promise<number> {
    let moved = 0;
    while (moved < options.deadlineBatchSize && !stopping) {
      const outcome = await handleOne();
      if (outcome !== 'moved') {
        break;
      }
      moved++;
    }
    return moved;
  }

  function schedule(): void {
    timer = setTimeout(() => {
      pass = checkOnce()
        .catch((error: unknown) =>
          logger.error({ error: String(error) }, 'A deadline pass failed unexpectedly'),
        )
        .finally(() => {
          if (watching) {
            schedule();
          }
        });
    }, options.deadlineIntervalMs);
  }

  return {
    start() {
      if (watching) {
        return;
      }
      watching = true;
      schedule();
      logger.info({ intervalMs: options.deadlineIntervalMs }, 'Saga deadline watcher started');
    },

    checkOnce,

    async stop() {
      if (!watching) {
        return;
      }
      watching = false;
      stopping = true;
      clearTimeout(timer);
      try {
        await pass;
      } finally {
        stopping = false;
      }
      logger.info({}, 'Saga deadline watcher stopped');
    },
  };
}
