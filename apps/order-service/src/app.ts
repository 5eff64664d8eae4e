import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import {
  createServiceRuntime,
  serviceHttp,
  type ServiceConfig,
  type ServiceRuntime,
} from '@eventline/service';

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

/** The running service: its runtime, and where its HTTP server listens (the port may be chosen by the system). */
export interface OrderServiceRuntime extends ServiceRuntime {
  url: string;
}

const defaults = { sagaStatusUrl: 'http://127.0.0.1:3001', sagaStatusTimeoutMs: 500 };

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Starts the order service: migrations, the OrderPlaced publisher, the
 * consumer of the saga's commands, and the HTTP API. `stop()` closes the
 * server first, then the consumer, then the pool and clients.
 */
export async function startOrderService(
  config: ServiceConfig,
  options: OrderServiceOptions = {},
): Promise<OrderServiceRuntime> {
  const settings = { ...defaults, ...options };
  const runtime = await createServiceRuntime(config, [
    { name: 'order-service', directory: migrationsDir },
  ]);

  try {
    const publisher = await runtime.publisher(['orders.events']);
    const commands = runtime.consumer(['orders.commands'], { publisher });
    registerOrderCommands(commands);
    await commands.start();
    runtime.onStop(() => commands.stop());

    const http = serviceHttp(runtime);
    const { app } = http;
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

    const server = await http.listen();
    const address = server.address() as AddressInfo;
    const url = `http://${formatHost(address.address)}:${address.port}`;
    runtime.logger.info({ url }, 'Order service listening');
    return Object.assign(runtime, { url });
  } catch (error) {
    await runtime.stop().catch(() => undefined);
    throw error;
  }
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
