import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Registry } from 'prom-client';

/**
 * A request handler serving `registry` in the Prometheus text format, for
 * express (`app.get('/metrics', metricsHandler(registry))`) or node:http.
 */
export function metricsHandler(
  registry: Registry,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (_request, response) => {
    try {
      const body = await registry.metrics();
      response.statusCode = 200;
      response.setHeader('content-type', registry.contentType);
      response.end(body);
    } catch (error) {
      response.statusCode = 500;
      response.setHeader('content-type', 'text/plain');
      response.end(`metrics unavailable: ${String(error)}`);
    }
  };
}
