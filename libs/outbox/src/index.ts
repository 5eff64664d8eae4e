export { dropCaptureSlot, provisionCapture, type CaptureOptions } from './capture';
export { outboxMigrations } from './migrations';
