import { stopOnSignals } from '@eventline/consumer';
import { serviceConfigFrom } from '@eventline/service';

import { startOrderService } from './app';

const config = serviceConfigFrom(process.env, {
  name: 'order-service',
  database: 'orders',
  httpPort: 3000,
});
const runtime = await startOrderService(config, {
  sagaStatusUrl: process.env.SAGA_STATUS_URL ?? 'http://127.0.0.1:3001',
});
stopOnSignals([runtime], runtime.logger);
