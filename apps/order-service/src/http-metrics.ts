import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Counts requests and times them by method, route pattern and status. The
 * route is the pattern that matched (`/orders/:id`), never the raw path, so
 * the number of series stays bounded; requests no route matched count as
 * `unmatched`. Requests answered before this middleware (the health and
 * metrics endpoints the service runtime mounts first) are not counted.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'eventline_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'eventline_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being written',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  return (request, response, next) => {
    const stop = duration.startTimer();
    response.on('finish', () => {
      const route = request.route as { path?: unknown } | undefined;
      const labels = {
        method: request.method,
        route: typeof route?.path === 'string' ? `${request.baseUrl}${route.path}` : 'unmatched',
        status: String(response.statusCode),
      };
      requests.inc(labels);
      stop(labels);
    });
    next();
  };
}
