export { defineSaga } from './define-saga';
export type {
  CommandBuilder,
  ReplyReducers,
  ReplyType,
  Saga,
  SagaAbort,
  SagaCommand,
  SagaCompensation,
  SagaDefinition,
  SagaHook,
  SagaHookContext,
  SagaStep,
} from './definition';
export {
  createSagaEngine,
  type ReplyOutcome,
  type SagaEngine,
  type SagaStartContext,
} from './engine';
export { SagaError, type SagaErrorCode } from './errors';
export {
  isTerminal,
  terminalStates,
  type AbortReason,
  type FailureReason,
  type SagaInstance,
  type SagaState,
  type SagaTransition,
  type TransitionKind,
} from './instance';
export { createSagaMetrics, type SagaMetrics } from './metrics';
export { sagaMigrations } from './migrations';
export type { SagaEngineOptions } from './options';
export { readSagaInstance, readSagaTransitions, type Queryable } from './store';
