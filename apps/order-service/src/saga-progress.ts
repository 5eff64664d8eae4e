import type { Logger } from '@eventline/observability';

export interface SagaProgressOptions {
  /** The order saga's HTTP address, e.g. http://127.0.0.1:3001. */
  baseUrl: string;
  /** How long a GET /orders/:id waits for the saga before answering without progress. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Reads a saga's progress from the order saga (`GET /sagas/:id`; the saga id
 * is the order id). The body is passed on as the saga wrote it. Anything but
 * a timely 200 with a JSON object (unreachable, slow, 404 before the saga
 * started, a non-JSON body) gives null: the order itself still answers.
 */
export function createSagaProgressReader(
  options: SagaProgressOptions,
): (sagaId: string) => Promise<Record<string, unknown> | null> {
  const base = options.baseUrl.replace(/\/+$/, '');

  return async (sagaId) => {
    try {
      const response = await fetch(`${base}/sagas/${encodeURIComponent(sagaId)}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        options.logger.debug({ sagaId, status: response.status }, 'The saga has no progress');
        return null;
      }

      const body: unknown = await response.json();
      return body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : null;
    } catch (error) {
      options.logger.debug({ sagaId, error: String(error) }, 'The saga progress is unavailable');
      return null;
    }
  };
}
