import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';

import {
  createServiceRuntime,
  serviceHttp,
  type ServiceConfig,
  type ServiceRuntime,
} from '@eventline/service';

import { authorizePayment } from './authorize-payment';
import { paymentRoutes } from './payment-routes';
import { refundPayment } from './refund-payment';

const migrations = {
  name: 'payment-service',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};

/** The running service; `server` tells where HTTP listens (port 0 picks a free one). */
export type PaymentService = ServiceRuntime & { server: Server };

/**
 * Payments, a saga participant: handles payments.commands (AuthorizePayment,
 * RefundPayment), answers on payments.events through its outbox, and serves
 * GET /payments/:orderId next to the health and metrics routes.
 */
export async function startPaymentService(config: ServiceConfig): Promise<PaymentService> {
  const runtime = await createServiceRuntime(config, [migrations]);

  try {
    const publisher = await runtime.publisher(['payments.events']);
    const actor = `system:${config.name}`;
    const consumer = runtime
      .consumer(['payments.commands'], { publisher })
      .on('eventline.payments.AuthorizePayment', 'authorize-payment', authorizePayment(actor))
      .on('eventline.payments.RefundPayment', 'refund-payment', refundPayment(actor));
    await consumer.start();
    runtime.onStop(() => consumer.stop());

    const http = serviceHttp(runtime);
    http.app.use(paymentRoutes(runtime.pool));
    const server = await http.listen();
    return Object.assign(runtime, { server });
  } catch (error) {
    // A start that fails half way (an unregistered schema, a missing topic)
    // must not leave the pool and clients open behind it.
    await runtime.stop().catch(() => undefined);
    throw error;
  }
}
