export { classifyFailure, type Classification, type FailureKind } from './classify';
export { createEventConsumer, type EventConsumer } from './consumer';
export { deadLetterTopic } from './dead-letter';
export { ConsumerError, permanentError, transientError, type ConsumerErrorCode } from './errors';
export type { ConsumedEvent, Handler, HandlerContext } from './event';
export type { HandlerOptions } from './handlers';
export { createConsumerMetrics, type ConsumerMetrics } from './metrics';
export { consumerMigrations } from './migrations';
export type { EventConsumerOptions } from './options';
export {
  listParked,
  resolveParked,
  type ParkedFilter,
  type ParkedRow,
  type ParkReason,
} from './parking';
export type { RedriveResult } from './redrive';
export { stopOnSignals } from './shutdown';
export { childTraceparent } from './trace';
export {
  groupMembers,
  planReplay,
  prepareReplayGroup,
  resetGroupForReplay,
  type GroupMember,
  type PartitionPlan,
  type ReplayRequest,
  type ReplayStart,
  type ReplayWindowOptions,
} from './replay';
export { copyWindow, type CopyProgress } from './replay-copy';
export {
  redriveRequestStatus,
  requestRedrive,
  type RedriveRequestResult,
} from './redrive-requests';
