import type { OrderCancellationReason, OrderLine } from '@eventline/schemas';
import type { QueryResult, QueryResultRow } from 'pg';

import type { OrderCursor } from './cursor';
import type { Order, OrderStatus } from './order';

/** A pool or a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** A row of `orders`, as pg returns it. */
interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  cancel_reason: OrderCancellationReason | null;
  lines: OrderLine[];
  /** bigint: pg returns it as a string. */
  total_minor: string;
  currency: string;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
  /** created_at in whole microseconds since the epoch, for cursors. */
  created_micros: string;
}

const columns = `id, customer_id, status, cancel_reason, lines, total_minor, currency,
  idempotency_key, request_hash, created_at, updated_at,
  (extract(epoch FROM created_at) * 1000000)::bigint AS created_micros`;

export interface NewOrder {
  id: string;
  customerId: string;
  lines: OrderLine[];
  totalMinor: number;
  currency: string;
  idempotencyKey: string | undefined;
  requestHash: string | undefined;
}

export interface StoredOrder {
  order: Order;
  /** Set when the order was placed with an Idempotency-Key. */
  requestHash: string | null;
  cursor: OrderCursor;
}

function fromRow(row: OrderRow): StoredOrder {
  return {
    order: {
      id: row.id,
      customerId: row.customer_id,
      status: row.status,
      cancelReason: row.cancel_reason,
      items: row.lines.map((line) => ({
        sku: line.sku,
        quantity: line.quantity,
        unitPrice: line.unitPriceMinor,
      })),
      totalMinor: Number(row.total_minor),
      currency: row.currency,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    },
    requestHash: row.request_hash,
    cursor: { createdAtMicros: row.created_micros, id: row.id },
  };
}

/**
 * Inserts a PENDING order and returns its creation time; returns undefined,
 * having written nothing, when an order with the same idempotency key
 * exists. A concurrent insert of that key makes this one wait for it and
 * then return undefined too (or insert, if that one rolled back): the unique
 * index decides, not a prior read.
 */
export async function insertOrder(db: Queryable, order: NewOrder): Promise<Date | undefined> {
  const { rows } = await db.query<{ created_at: Date }>(
    `INSERT INTO orders (id, customer_id, status, lines, total_minor, currency,
       idempotency_key, request_hash)
     VALUES ($1, $2, 'PENDING', $3, $4, $5, $6, $7)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING created_at`,
    [
      order.id,
      order.customerId,
      JSON.stringify(order.lines),
      order.totalMinor,
      order.currency,
      order.idempotencyKey ?? null,
      order.requestHash ?? null,
    ],
  );
  return rows[0]?.created_at;
}

export async function findOrder(db: Queryable, id: string): Promise<StoredOrder | undefined> {
  const { rows } = await db.query<OrderRow>(`SELECT ${columns} FROM orders WHERE id = $1`, [id]);
  return rows[0] && fromRow(rows[0]);
}

export async function findOrderByIdempotencyKey(
  db: Queryable,
  key: string,
): Promise<StoredOrder | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${columns} FROM orders WHERE idempotency_key = $1`,
    [key],
  );
  return rows[0] && fromRow(rows[0]);
}

/** Locks the order's row for the rest of the transaction, so commands on it run one at a time. */
export async function lockOrder(db: Queryable, id: string): Promise<StoredOrder | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${columns} FROM orders WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] && fromRow(rows[0]);
}

/** Moves a PENDING order to CONFIRMED or CANCELLED; returns when that happened. */
export async function finishOrder(
  db: Queryable,
  id: string,
  status: Exclude<OrderStatus, 'PENDING'>,
  cancelReason: OrderCancellationReason | null,
): Promise<Date> {
  const { rows } = await db.query<{ updated_at: Date }>(
    `UPDATE orders SET status = $2, cancel_reason = $3, updated_at = now()
     WHERE id = $1 AND status = 'PENDING'
     RETURNING updated_at`,
    [id, status, cancelReason],
  );
  const row = rows[0];
  if (!row) {
    throw new Error(`Order ${id} is not PENDING; lock it and check its status first`);
  }
  return row.updated_at;
}

export interface ListFilter {
  status: OrderStatus | undefined;
  limit: number;
  after: OrderCursor | undefined;
}

/** A page of orders, newest first, and whether more follow. */
export async function listOrders(
  db: Queryable,
  filter: ListFilter,
): Promise<{ orders: StoredOrder[]; more: boolean }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (filter.status) {
    values.push(filter.status);
    conditions.push(`status = $${values.length}`);
  }
  if (filter.after) {
    values.push(filter.after.createdAtMicros, filter.after.id);
    conditions.push(
      `(created_at, id) < (timestamptz 'epoch' + $${values.length - 1}::bigint * interval '1 microsecond', $${values.length}::uuid)`,
    );
  }
  // One row past the page tells whether another page follows.
  values.push(filter.limit + 1);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';

  const { rows } = await db.query<OrderRow>(
    `SELECT ${columns} FROM orders ${where}
     ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
    values,
  );
  return { orders: rows.slice(0, filter.limit).map(fromRow), more: rows.length > filter.limit };
}
