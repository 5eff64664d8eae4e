export {
  createCaptureLagMonitor,
  type CaptureAlertReason,
  type CaptureLagMonitor,
  type CaptureLagOptions,
  type SlotLag,
} from './capture-lag';
export { dropCaptureSlot, provisionCapture, type CaptureOptions } from './capture';
export { OutboxError, type OutboxErrorCode } from './errors';
export type { EventMetadata, OutboxEvent } from './event';
export { outboxMigrations } from './migrations';
export {
  createOutboxPublisher,
  type OutboxPublisher,
  type OutboxPublisherOptions,
} from './publisher';
