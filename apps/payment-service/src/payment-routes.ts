import type { Pool } from '@eventline/db';
import { Router } from 'express';

import { findPayment } from './payment-row';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GET /payments/:orderId: the order's payment and its state. */
export function paymentRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/payments/:orderId', async (request, response) => {
    const { orderId } = request.params;
    if (!uuidPattern.test(orderId)) {
      response.status(400).json({ error: `orderId must be a UUID, got "${orderId}"` });
      return;
    }

    const payment = await findPayment(pool, orderId);
    if (!payment) {
      response.status(404).json({ error: `No payment is recorded for order ${orderId}` });
      return;
    }

    response.json({
      orderId: payment.order_id,
      paymentId: payment.payment_id,
      sagaId: payment.saga_id,
      customerId: payment.customer_id,
      amountMinor: Number(payment.amount_minor),
      currency: payment.currency,
      state: payment.state,
      declineReason: payment.decline_reason,
      updatedAt: payment.updated_at.toISOString(),
    });
  });

  return router;
}
