import { fileURLToPath } from 'node:url';

import { startService, type ServiceConfig, type StartedService } from '@eventline/service';

import { httpMetrics } from './http-metrics';
import { openApiDocument } from './openapi';
import { registerOrderCommands } from './order-commands';
import { orderRoutes } from './order-routes';
import { methodNotAllowed, problemErrorHandler, routeNotFound } from './problem';
import { createSagaProgressReader } from './saga-progress';

export interface OrderServiceOptions {
  /** The order saga's HTTP address, for GET /orders/:id progress (default http://127.0.0.1:3001). */
  sagaStatusUrl?: string;
  /** How long GET /orders/:id waits for the saga's progress (default 500 ms). */
  sagaStatusTimeoutMs?: number;
}

/** The running service: its runtime, and where its HTTP server listens (port 0 picks one). */
export type OrderServiceRuntime = StartedService;

const defaults = { sagaStatusUrl: 'http://127.0.0.1:3001', sagaStatusTimeoutMs: 500 };

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Starts the order service: migrations, the OrderPlaced publisher, the
 * consumer of the saga's commands, and the HTTP API. `stop()` closes the
 * server first, then the consumer, then the pool and clients.
 */
export function startOrderService(
  config: ServiceConfig,
  options: OrderServiceOptions = {},
): Promise<OrderServiceRuntime> {
  const settings = { ...defaults, ...options };

  return startService(
    config,
    [{ name: 'order-service', directory: migrationsDir }],
    async (runtime) => {
      const publisher = await runtime.publisher(['orders.events']);
      const commands = runtime.consumer(['orders.commands'], { publisher });
      registerOrderCommands(commands);
      await commands.start();
      runtime.onStop(() => commands.stop());

      return (app) => {
        app.use(httpMetrics(runtime.metrics));
        for (const path of ['/healthz', '/readyz', '/metrics']) {
          app.all(path, methodNotAllowed(['GET', 'HEAD']));
        }
        app
          .route('/openapi.json')
          .get((_request, response) => {
            response.json(openApiDocument);
          })
          .all(methodNotAllowed(['GET', 'HEAD']));
        app.use(
          orderRoutes({
            pool: runtime.pool,
            publisher,
            sagaProgress: createSagaProgressReader({
              baseUrl: settings.sagaStatusUrl,
              timeoutMs: settings.sagaStatusTimeoutMs,
              logger: runtime.logger,
            }),
          }),
        );
        app.use(routeNotFound);
        app.use(problemErrorHandler(runtime.logger));
      };
    },
  );
}
