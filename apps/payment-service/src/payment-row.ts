import type { Transaction } from '@eventline/db';
import type { PaymentDeclineReason } from '@eventline/schemas';

/** A row of `payments`; bigint columns arrive as strings from pg. */
export interface PaymentRow {
  order_id: string;
  payment_id: string;
  saga_id: string;
  customer_id: string;
  amount_minor: string;
  currency: string;
  state: 'authorized' | 'declined' | 'refunded';
  decline_reason: PaymentDeclineReason | null;
  updated_at: Date;
}

export async function findPayment(
  tx: Pick<Transaction, 'query'>,
  orderId: string,
): Promise<PaymentRow | undefined> {
  const { rows } = await tx.query<PaymentRow>('SELECT * FROM payments WHERE order_id = $1', [
    orderId,
  ]);
  return rows[0];
}
