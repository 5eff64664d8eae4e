import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';

import {
  createServiceRuntime,
  serviceHttp,
  type ServiceConfig,
  type ServiceRuntime,
} from '@eventline/service';

import { notificationRoutes } from './notification-routes';
import { recordNotification } from './record-notification';

const migrations = {
  name: 'notification-service',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};

/** The running service; `server` tells where HTTP listens (port 0 picks a free one). */
export type NotificationService = ServiceRuntime & { server: Server };

/**
 * Notifications, a fan-out consumer of orders.events: one notice per
 * confirmed or cancelled order. It publishes nothing. Its handlers are not
 * replayable: a re-run replay of orders.events must not notify customers a
 * second time.
 */
export async function startNotificationService(
  config: ServiceConfig,
): Promise<NotificationService> {
  const runtime = await createServiceRuntime(config, [migrations]);

  try {
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

    const http = serviceHttp(runtime);
    http.app.use(notificationRoutes(runtime.pool));
    const server = await http.listen();
    return Object.assign(runtime, { server });
  } catch (error) {
    // A start that fails half way (a missing topic, the registry down) must
    // not leave the pool and clients open behind it.
    await runtime.stop().catch(() => undefined);
    throw error;
  }
}
