import { permanentError, type EventConsumer } from '@eventline/consumer';
import type { EventTypes } from '@eventline/schemas';

import { finishOrder, lockOrder } from './order-repository';

const actor = 'system:order-service';

/**
 * The saga's commands to this service. Each locks the order, moves it from
 * PENDING to its final state and answers with the matching event, all in the
 * consumer's transaction with the inbox row. A command for an order already
 * in the asked state answers the same event again (the saga may have re-sent
 * it after a timeout); one that would leave the other final state is a
 * permanent error, so the command is parked for an operator and the order
 * keeps its state.
 */
export function registerOrderCommands(consumer: EventConsumer<EventTypes>): void {
  consumer.on('eventline.orders.ConfirmOrder', 'confirm-order', async ({ event, tx, publish }) => {
    const { orderId, sagaId } = event.value;
    const stored = await lockOrder(tx, orderId);
    if (!stored) {
      throw permanentError(`ConfirmOrder names order ${orderId}, which does not exist`);
    }
    if (stored.order.status === 'CANCELLED') {
      throw permanentError(
        `ConfirmOrder for order ${orderId} refused: the order is CANCELLED (${stored.order.cancelReason})`,
      );
    }

    const confirmedAt =
      stored.order.status === 'CONFIRMED'
        ? stored.order.updatedAt
        : await finishOrder(tx, orderId, 'CONFIRMED', null);
    await publish({
      type: 'eventline.orders.OrderConfirmed',
      key: event.key,
      value: { orderId, sagaId, occurredAt: confirmedAt, actor },
      metadata: { actor },
    });
  });

  consumer.on('eventline.orders.CancelOrder', 'cancel-order', async ({ event, tx, publish }) => {
    const { orderId, sagaId, reason } = event.value;
    const stored = await lockOrder(tx, orderId);
    if (!stored) {
      throw permanentError(`CancelOrder names order ${orderId}, which does not exist`);
    }
    if (stored.order.status === 'CONFIRMED') {
      throw permanentError(`CancelOrder for order ${orderId} refused: the order is CONFIRMED`);
    }

    const already = stored.order.status === 'CANCELLED';
    const cancelledAt = already
      ? stored.order.updatedAt
      : await finishOrder(tx, orderId, 'CANCELLED', reason);
    await publish({
      type: 'eventline.orders.OrderCancelled',
      key: event.key,
      value: {
        orderId,
        sagaId,
        // A repeated answer repeats the reason the order was cancelled for.
        reason: already ? (stored.order.cancelReason ?? reason) : reason,
        occurredAt: cancelledAt,
        actor,
      },
      metadata: { actor },
    });
  });
}
