import type { Handler } from '@eventline/consumer';
import type { EventTypes } from '@eventline/schemas';

export type NotificationKind = 'order-confirmed' | 'order-cancelled';

/**
 * A handler that records one notice of `kind` for the event's order. A second
 * event with the same outcome for the order (published twice, so under two
 * event ids, which the inbox cannot tell apart) records nothing more.
 */
export function recordNotification(
  kind: NotificationKind,
): Handler<EventTypes, { orderId: string }> {
  return async ({ event, tx, logger }) => {
    const { rowCount } = await tx.query(
      `INSERT INTO notifications (order_id, kind) VALUES ($1, $2)
       ON CONFLICT (order_id, kind) DO NOTHING`,
      [event.value.orderId, kind],
    );
    if (rowCount === 0) {
      logger.debug(
        { eventId: event.id, orderId: event.value.orderId, kind },
        'The order was noticed of this outcome already',
      );
    }
  };
}
