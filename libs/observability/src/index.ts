export { backoffDelay, defaultBackoff, delay, type BackoffOptions } from './backoff';
export { silentLogger, type LogFields, type Logger } from './logger';
export { retryWhileUnreachable, type UnreachableRetryOptions } from './retry';
export { metricsHandler } from './metrics-endpoint';
