import { fileURLToPath } from 'node:url';

import { startService, type ServiceConfig, type StartedService } from '@eventline/service';

import { releaseStock } from './release-stock';
import { reserveStock } from './reserve-stock';
import { stockRoutes } from './stock-routes';

const migrations = {
  name: 'inventory-service',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};

export type InventoryService = StartedService;

/**
 * Inventory, a saga participant: handles inventory.commands (ReserveStock,
 * ReleaseStock), answers on inventory.events through its outbox, and serves
 * GET /stock/:sku next to the health and metrics routes.
 */
export function startInventoryService(config: ServiceConfig): Promise<InventoryService> {
  return startService(config, [migrations], async (runtime) => {
    const publisher = await runtime.publisher(['inventory.events']);
    const actor = `system:${config.name}`;
    const consumer = runtime
      .consumer(['inventory.commands'], { publisher })
      .on('eventline.inventory.ReserveStock', 'reserve-stock', reserveStock(actor))
      .on('eventline.inventory.ReleaseStock', 'release-stock', releaseStock(actor));
    await consumer.start();
    runtime.onStop(() => consumer.stop());
    return (app) => app.use(stockRoutes(runtime.pool));
  });
}
