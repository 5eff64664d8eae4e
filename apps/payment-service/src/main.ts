import { stopOnSignals } from '@eventline/consumer';
import { serviceConfigFrom } from '@eventline/service';

import { startPaymentService } from './app';

const config = serviceConfigFrom(process.env, {
  name: 'payment-service',
  database: 'payments',
  httpPort: 3003,
});
const service = await startPaymentService(config);
stopOnSignals([service], service.logger);
service.logger.info({ address: service.server.address() }, 'Payment service is running');
