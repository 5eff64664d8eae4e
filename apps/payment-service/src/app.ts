import { fileURLToPath } from 'node:url';

import { startService, type ServiceConfig, type StartedService } from '@eventline/service';

import { authorizePayment } from './authorize-payment';
import { paymentRoutes } from './payment-routes';
import { refundPayment } from './refund-payment';

const migrations = {
  name: 'payment-service',
  directory: fileURLToPath(new URL('../migrations', import.meta.url)),
};

export type PaymentService = StartedService;

/**
 * Payments, a saga participant: handles payments.commands (AuthorizePayment,
 * RefundPayment), answers on payments.events through its outbox, and serves
 * GET /payments/:orderId next to the health and metrics routes.
 */
export function startPaymentService(config: ServiceConfig): Promise<PaymentService> {
  return startService(config, [migrations], async (runtime) => {
    const publisher = await runtime.publisher(['payments.events']);
    const actor = `system:${config.name}`;
    const consumer = runtime
      .consumer(['payments.commands'], { publisher })
      .on('eventline.payments.AuthorizePayment', 'authorize-payment', authorizePayment(actor))
      .on('eventline.payments.RefundPayment', 'refund-payment', refundPayment(actor));
    await consumer.start();
    runtime.onStop(() => consumer.stop());
    return (app) => app.use(paymentRoutes(runtime.pool));
  });
}
