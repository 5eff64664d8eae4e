import { backoffDelay, delay } from './backoff';
import type { Logger } from './logger';

export interface UnreachableRetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  logger: Logger;
  /** Which component is called, for the log line, e.g. 'Kafka Connect'. */
  component: string;
  /** Where it is expected to answer. */
  url: string;
}

/**
 * Runs `call` until it resolves, retrying with backoff while it rejects (a
 * network failure: the component is down or still starting), logging which
 * component and where at each retry. Rethrows the last failure.
 */
export async function retryWhileUnreachable<T>(
  call: () => Promise<T>,
  options: UnreachableRetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.attempts) {
        throw error;
      }
      const wait = backoffDelay(attempt);
      options.logger.warn(
        { component: options.component, url: options.url, attempt, retryInMs: wait },
        'Component is unreachable; retrying',
      );
      await delay(wait);
    }
  }
}
