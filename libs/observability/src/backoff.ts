export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Upper bound of one delay, in ms. */
  maxMs: number;
  /** Growth factor between attempts. */
  factor: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 200, maxMs: 10_000, factor: 2 };

/**
 * Delay before retry number `attempt` (1-based): exponential, half of it random,
 * so that many clients retrying one server do not retry in step.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
