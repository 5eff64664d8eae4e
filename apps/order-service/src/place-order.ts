import { randomUUID } from 'node:crypto';

import { withTransaction, type Pool } from '@eventline/db';
import type { OutboxPublisher } from '@eventline/outbox';
import type { EventTypes, OrderLine } from '@eventline/schemas';

import { canonicalHash } from './canonical-json';
import { ApiError } from './errors';
import { orderTotal, type Order, type PlaceOrderRequest } from './order';
import { findOrderByIdempotencyKey, insertOrder, type StoredOrder } from './order-repository';
import type { RequestContext } from './request-context';

export interface PlaceOrderDeps {
  pool: Pool;
  publisher: OutboxPublisher<EventTypes>;
}

export interface PlaceOrderResult {
  order: Pick<Order, 'id' | 'status'>;
  /** False when an earlier request with the same Idempotency-Key placed the order. */
  created: boolean;
}

/**
 * Stores a PENDING order and its OrderPlaced event in one transaction. With
 * an idempotency key, a retry of the same request (same canonical body)
 * answers the order the first one placed and writes nothing; the same key
 * with another body is refused.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  request: PlaceOrderRequest,
  idempotencyKey: string | undefined,
  context: RequestContext,
): Promise<PlaceOrderResult> {
  const requestHash = idempotencyKey === undefined ? undefined : canonicalHash(request);
  if (idempotencyKey !== undefined) {
    const earlier = await findOrderByIdempotencyKey(deps.pool, idempotencyKey);
    if (earlier) {
      return replay(earlier, requestHash, idempotencyKey);
    }
  }

  const id = randomUUID();
  const lines: OrderLine[] = request.items.map((item) => ({
    sku: item.sku,
    quantity: item.quantity,
    unitPriceMinor: item.unitPrice,
  }));
  const totalMinor = orderTotal(request.items);
  const actor = `user:${request.customerId}`;

  const placed = await withTransaction(deps.pool, async (tx) => {
    const createdAt = await insertOrder(tx, {
      id,
      customerId: request.customerId,
      lines,
      totalMinor,
      currency: request.currency,
      idempotencyKey,
      requestHash,
    });
    if (!createdAt) {
      return false;
    }

    await deps.publisher.publish(tx, {
      type: 'eventline.orders.OrderPlaced',
      key: id,
      value: {
        orderId: id,
        customerId: request.customerId,
        lines,
        totalMinor,
        currency: request.currency,
        occurredAt: createdAt,
        actor,
      },
      metadata: { correlationId: context.correlationId, traceparent: context.traceparent, actor },
    });
    return true;
  });
  if (placed) {
    return { order: { id, status: 'PENDING' }, created: true };
  }

  // Only the idempotency key's unique index can refuse the insert: a
  // concurrent request with the same key committed first.
  const winner =
    idempotencyKey === undefined
      ? undefined
      : await findOrderByIdempotencyKey(deps.pool, idempotencyKey);
  if (!winner || idempotencyKey === undefined) {
    throw new Error('An order insert conflicted on its idempotency key, but no order has the key');
  }

  return replay(winner, requestHash, idempotencyKey);
}

function replay(
  earlier: StoredOrder,
  requestHash: string | undefined,
  idempotencyKey: string,
): PlaceOrderResult {
  if (earlier.requestHash !== requestHash) {
    throw new ApiError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "${idempotencyKey}" placed order ${earlier.order.id} with a different ` +
        'body; send a new key for a new order, or the same body to retry',
      {
        errors: [{ in: 'header', path: '/Idempotency-Key', message: 'was used for another body' }],
      },
    );
  }

  return { order: { id: earlier.order.id, status: earlier.order.status }, created: false };
}
