import type { Handler } from '@eventline/consumer';
import type { EventTypes, RefundPayment } from '@eventline/schemas';

import { findPayment, type PaymentRow } from './payment-row';

/**
 * RefundPayment (compensation): gives back the order's authorized payment,
 * whole, and answers PaymentRefunded with the amount given back. The payment
 * is found by order: a saga that compensates after a timed-out authorization
 * may not know the payment id.
 *
 * A refund is answered whatever was held, so compensation cannot get stuck: a
 * payment refunded before is answered with its amount again, and an order
 * that was declined or never authorized is answered with amount 0. Partial
 * refunds are not part of the reference system; the command's amount is not
 * used to give back less.
 */
export function refundPayment(actor: string): Handler<EventTypes, RefundPayment> {
  return async ({ event, tx, publish }) => {
    const command = event.value;

    const { rows } = await tx.query<PaymentRow>(
      `UPDATE payments SET state = 'refunded', updated_at = now()
        WHERE order_id = $1 AND state = 'authorized'
        RETURNING *`,
      [command.orderId],
    );
    const payment = rows[0] ?? (await findPayment(tx, command.orderId));
    const given = payment?.state === 'refunded' ? payment : undefined;

    await publish({
      type: 'eventline.payments.PaymentRefunded',
      key: command.sagaId,
      value: {
        sagaId: command.sagaId,
        orderId: command.orderId,
        paymentId: payment?.payment_id ?? command.paymentId,
        amountMinor: given ? Number(given.amount_minor) : 0,
        currency: payment?.currency ?? command.currency,
        occurredAt: new Date(),
        actor,
      },
    });
  };
}
