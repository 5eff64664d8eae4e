import { permanentError, type Handler } from '@eventline/consumer';
import type { Transaction } from '@eventline/db';
import type {
  EventTypes,
  ReserveStock,
  StockItem,
  StockReservationFailed,
} from '@eventline/schemas';

import { lockOrder } from './order-lock';

type Failure = Pick<StockReservationFailed, 'reason' | 'unavailableSkus'>;

/**
 * ReserveStock: holds every line of the order or none, and answers
 * StockReserved or StockReservationFailed, keyed by the saga id.
 *
 * The stock rows are locked in SKU order, so two orders over the same products
 * wait for each other instead of deadlocking. An order that already holds its
 * reservation is answered StockReserved again without a second hold; an order
 * whose reservation was released is not served again (the saga compensated
 * it, and stock held now would never be given back).
 */
export function reserveStock(actor: string): Handler<EventTypes, ReserveStock> {
  return async ({ event, tx, publish }) => {
    const { sagaId, orderId } = event.value;
    const wanted = quantitiesBySku(event.value.items);
    const reply = { sagaId, orderId, occurredAt: new Date(), actor };

    await lockOrder(tx, orderId);
    const held = await reservationState(tx, orderId);
    if (held === 'reserved') {
      await publish({ type: 'eventline.inventory.StockReserved', key: sagaId, value: reply });
      return;
    }
    if (held === 'released') {
      await publish({
        type: 'eventline.inventory.StockReservationFailed',
        key: sagaId,
        value: { ...reply, reason: 'UNKNOWN', unavailableSkus: [] },
      });
      return;
    }

    const skus = [...wanted.keys()].sort();
    const { rows } = await tx.query<{ sku: string; available: number }>(
      'SELECT sku, available FROM stock WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE',
      [skus],
    );
    const failure = shortfall(wanted, rows);
    if (failure) {
      await publish({
        type: 'eventline.inventory.StockReservationFailed',
        key: sagaId,
        value: { ...reply, ...failure },
      });
      return;
    }

    const quantities = skus.map((sku) => wanted.get(sku));
    await tx.query(
      `UPDATE stock AS s
          SET available = s.available - w.quantity, reserved = s.reserved + w.quantity
         FROM unnest($1::text[], $2::int[]) AS w (sku, quantity)
        WHERE s.sku = w.sku`,
      [skus, quantities],
    );
    await tx.query(
      `INSERT INTO reservations (order_id, sku, quantity, state)
       SELECT $1, w.sku, w.quantity, 'reserved'
         FROM unnest($2::text[], $3::int[]) AS w (sku, quantity)`,
      [orderId, skus, quantities],
    );
    await publish({ type: 'eventline.inventory.StockReserved', key: sagaId, value: reply });
  };
}

/** The order's lines summed per SKU; a command that breaks the schema's rules is parked. */
function quantitiesBySku(items: StockItem[]): Map<string, number> {
  if (items.length === 0) {
    throw permanentError('ReserveStock has no items; the schema asks for at least one');
  }

  const wanted = new Map<string, number>();
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity < 1) {
      throw permanentError(
        `ReserveStock asks for ${item.quantity} of ${item.sku}; a quantity must be at least 1`,
      );
    }
    wanted.set(item.sku, (wanted.get(item.sku) ?? 0) + item.quantity);
  }
  return wanted;
}

/** Reservations of one order are written and released together, so they share a state. */
async function reservationState(
  tx: Transaction,
  orderId: string,
): Promise<'reserved' | 'released' | undefined> {
  const { rows } = await tx.query<{ state: 'reserved' | 'released' }>(
    'SELECT state FROM reservations WHERE order_id = $1 LIMIT 1',
    [orderId],
  );
  return rows[0]?.state;
}

/** Why the locked stock cannot cover the order, or undefined when it can. */
function shortfall(
  wanted: Map<string, number>,
  rows: { sku: string; available: number }[],
): Failure | undefined {
  const available = new Map(rows.map((row) => [row.sku, row.available]));
  const unknown = [...wanted.keys()].filter((sku) => !available.has(sku));
  if (unknown.length > 0) {
    return { reason: 'UNKNOWN_SKU', unavailableSkus: unknown };
  }

  const short = [...wanted]
    .filter(([sku, quantity]) => (available.get(sku) ?? 0) < quantity)
    .map(([sku]) => sku);
  if (short.length > 0) {
    return { reason: 'OUT_OF_STOCK', unavailableSkus: short };
  }
  return undefined;
}
