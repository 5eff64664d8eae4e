import { fileURLToPath } from 'node:url';

import { startService, type ServiceConfig, type StartedService } from '@eventline/service';

import { notificationRoutes } from './notification-routes';
import { recordNotification } from './record-notification';

const migrations = {
  name: 'notification-service',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};

export type NotificationService = StartedService;

/**
 * Notifications, a fan-out consumer of orders.events: one notice per
 * confirmed or cancelled order. It publishes nothing. Its handlers are not
 * replayable: a re-run replay of orders.events must not notify customers a
 * second time.
 */
export function startNotificationService(config: ServiceConfig): Promise<NotificationService> {
  return startService(config, [migrations], async (runtime) => {
    const consumer = runtime
      .consumer(['orders.events'])
      .on(
        'eventline.orders.OrderConfirmed',
        'notify-order-confirmed',
        recordNotification('order-confirmed'),
        {
          replayable: false,
        },
      )
      .on(
        'eventline.orders.OrderCancelled',
        'notify-order-cancelled',
        recordNotification('order-cancelled'),
        {
          replayable: false,
        },
      );
    await consumer.start();
    runtime.onStop(() => consumer.stop());
    return (app) => app.use(notificationRoutes(runtime.pool));
  });
}
