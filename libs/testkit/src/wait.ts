import { delay } from '@eventline/observability';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited, for the timeout error. */
  what?: string;
}

/**
 * Polls `probe` until it returns something other than undefined or false,
 * and returns that; throws when the deadline passes. The last error the probe
 * threw, if any, is chained as the cause.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;

  while (Date.now() < deadline) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) {
        return result;
      }
    } catch (error) {
      lastError = error;
    }
    await delay(options.intervalMs ?? 100);
  }

  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`, {
    cause: lastError,
  });
}
