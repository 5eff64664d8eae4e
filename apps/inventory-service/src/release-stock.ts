import type { Handler } from '@eventline/consumer';
import type { EventTypes, ReleaseStock } from '@eventline/schemas';

import { lockOrder } from './order-lock';

/**
 * ReleaseStock (compensation): gives back what the order still holds and
 * marks its reservations released, then answers StockReleased. An order that
 * holds nothing (never reserved, refused, or released already) is answered
 * StockReleased too, without a change: the saga may release after a
 * reservation's reply timed out, or release twice.
 */
export function releaseStock(actor: string): Handler<EventTypes, ReleaseStock> {
  return async ({ event, tx, publish }) => {
    const { sagaId, orderId } = event.value;

    await lockOrder(tx, orderId);
    const { rows } = await tx.query<{ sku: string; quantity: number }>(
      `SELECT sku, quantity FROM reservations WHERE order_id = $1 AND state = 'reserved'`,
      [orderId],
    );
    if (rows.length > 0) {
      const skus = rows.map((row) => row.sku);
      const quantities = rows.map((row) => row.quantity);
      // Same lock order as a reservation takes, so the two never deadlock.
      await tx.query('SELECT 1 FROM stock WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [
        skus,
      ]);
      await tx.query(
        `UPDATE stock AS s
            SET available = s.available + w.quantity, reserved = s.reserved - w.quantity
           FROM unnest($1::text[], $2::int[]) AS w (sku, quantity)
          WHERE s.sku = w.sku`,
        [skus, quantities],
      );
      await tx.query(
        `UPDATE reservations SET state = 'released', updated_at = now()
          WHERE order_id = $1 AND state = 'reserved'`,
        [orderId],
      );
    }

    await publish({
      type: 'eventline.inventory.StockReleased',
      key: sagaId,
      value: { sagaId, orderId, occurredAt: new Date(), actor },
    });
  };
}
