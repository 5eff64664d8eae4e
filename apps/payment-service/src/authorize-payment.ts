import { randomUUID } from 'node:crypto';

import { permanentError, transientError, type Handler } from '@eventline/consumer';
import type { Transaction } from '@eventline/db';
import type { AuthorizePayment, EventTypes, PaymentDeclineReason } from '@eventline/schemas';

import { findPayment, type PaymentRow } from './payment-row';

/** The limit of a customer without a row in customer_limits: 1,000.00 in minor units. */
export const defaultLimitMinor = 100_000;

// The schema has no symbol for "above the customer's limit"; of the ones it
// has, insufficient funds says the same thing to the customer.
const overLimit: PaymentDeclineReason = 'INSUFFICIENT_FUNDS';

/**
 * AuthorizePayment: authorizes when the amount is at most the customer's limit
 * (their row in customer_limits, else the default), declines otherwise, and
 * answers PaymentAuthorized or PaymentDeclined keyed by the saga id.
 *
 * An order is decided once. The first command's outcome is recorded, and a
 * later AuthorizePayment for the same order is answered with that outcome,
 * also after a refund: the answer is about the authorization, and nothing is
 * held a second time.
 */
export function authorizePayment(actor: string): Handler<EventTypes, AuthorizePayment> {
  return async ({ event, tx, publish }) => {
    const command = event.value;
    if (!Number.isSafeInteger(command.amountMinor) || command.amountMinor < 0) {
      throw permanentError(
        `AuthorizePayment amountMinor must be a whole number >= 0, got ${command.amountMinor}`,
      );
    }

    const limit = await limitOf(tx, command.customerId);
    const declined = command.amountMinor > limit;
    // A concurrent insert for the same order makes this one wait for it and
    // then do nothing; the read below sees the row it committed.
    const { rows } = await tx.query<PaymentRow>(
      `INSERT INTO payments
         (order_id, payment_id, saga_id, customer_id, amount_minor, currency, state, decline_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (order_id) DO NOTHING
       RETURNING *`,
      [
        command.orderId,
        randomUUID(),
        command.sagaId,
        command.customerId,
        command.amountMinor,
        command.currency,
        declined ? 'declined' : 'authorized',
        declined ? overLimit : null,
      ],
    );
    const payment = rows[0] ?? (await findPayment(tx, command.orderId));
    if (!payment) {
      throw transientError(`The payment of order ${command.orderId} conflicted but is not visible`);
    }

    const reply = {
      sagaId: command.sagaId,
      orderId: command.orderId,
      occurredAt: new Date(),
      actor,
    };
    if (payment.state === 'declined') {
      await publish({
        type: 'eventline.payments.PaymentDeclined',
        key: command.sagaId,
        value: { ...reply, reason: payment.decline_reason ?? 'UNKNOWN' },
      });
      return;
    }

    await publish({
      type: 'eventline.payments.PaymentAuthorized',
      key: command.sagaId,
      value: {
        ...reply,
        paymentId: payment.payment_id,
        amountMinor: Number(payment.amount_minor),
        currency: payment.currency,
      },
    });
  };
}

async function limitOf(tx: Transaction, customerId: string): Promise<number> {
  const { rows } = await tx.query<{ limit_minor: string }>(
    'SELECT limit_minor FROM customer_limits WHERE customer_id = $1',
    [customerId],
  );
  const row = rows[0];
  return row ? Number(row.limit_minor) : defaultLimitMinor;
}
