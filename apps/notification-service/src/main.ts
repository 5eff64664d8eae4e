import { stopOnSignals } from '@eventline/consumer';
import { serviceConfigFrom } from '@eventline/service';

import { startNotificationService } from './app';

const config = serviceConfigFrom(process.env, {
  name: 'notification-service',
  database: 'notifications',
  httpPort: 3004,
});
const service = await startNotificationService(config);
stopOnSignals([service], service.logger);
service.logger.info({ address: service.server.address() }, 'Notification service is running');
