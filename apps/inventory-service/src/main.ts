import { stopOnSignals } from '@eventline/consumer';
import { serviceConfigFrom } from '@eventline/service';

import { startInventoryService } from './app';

const config = serviceConfigFrom(process.env, {
  name: 'inventory-service',
  database: 'inventory',
  httpPort: 3002,
});
const service = await startInventoryService(config);
stopOnSignals([service], service.logger);
service.logger.info({ address: service.server.address() }, 'Inventory service is running');
