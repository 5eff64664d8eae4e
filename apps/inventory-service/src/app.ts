import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';

import {
  createServiceRuntime,
  serviceHttp,
  type ServiceConfig,
  type ServiceRuntime,
} from '@eventline/service';

import { releaseStock } from './release-stock';
import { reserveStock } from './reserve-stock';
import { stockRoutes } from './stock-routes';

const migrations = {
  name: 'inventory-service',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};

/** The running service; `server` tells where HTTP listens (port 0 picks a free one). */
export type InventoryService = ServiceRuntime & { server: Server };

/**
 * Inventory, a saga participant: handles inventory.commands (ReserveStock,
 * ReleaseStock), answers on inventory.events through its outbox, and serves
 * GET /stock/:sku next to the health and metrics routes.
 */
export async function startInventoryService(config: ServiceConfig): Promise<InventoryService> {
  const runtime = await createServiceRuntime(config, [migrations]);

  try {
    const publisher = await runtime.publisher(['inventory.events']);
    const actor = `system:${config.name}`;
    const consumer = runtime
      .consumer(['inventory.commands'], { publisher })
      .on('eventline.inventory.ReserveStock', 'reserve-stock', reserveStock(actor))
      .on('eventline.inventory.ReleaseStock', 'release-stock', releaseStock(actor));
    await consumer.start();
    runtime.onStop(() => consumer.stop());

    const http = serviceHttp(runtime);
    http.app.use(stockRoutes(runtime.pool));
    const server = await http.listen();
    return Object.assign(runtime, { server });
  } catch (error) {
    // A start that fails half way (an unregistered schema, a missing topic)
    // must not leave the pool and clients open behind it.
    await runtime.stop().catch(() => undefined);
    throw error;
  }
}
