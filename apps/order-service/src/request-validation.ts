import { apiSchemas, resolveApiSchema } from './api-schemas';
import { decodeCursor, type OrderCursor } from './cursor';
import { validationFailed, type FieldError } from './errors';
import { isUuid, validateJson } from './json-schema';
import { orderStatuses, type OrderStatus, type PlaceOrderRequest } from './order';

/** The POST /orders body, checked against the published schema; throws a 400 naming every bad field. */
export function parsePlaceOrder(body: unknown): PlaceOrderRequest {
  if (body === undefined) {
    throw validationFailed([{ in: 'body', path: '/', message: 'is required' }]);
  }

  const errors = validateJson(apiSchemas.PlaceOrderRequest, body, resolveApiSchema);
  if (errors.length > 0) {
    throw validationFailed(errors);
  }

  const valid = body as PlaceOrderRequest;
  // Rebuilt field by field, so nothing but the schema's fields goes further.
  return {
    customerId: valid.customerId.toLowerCase(),
    items: valid.items.map((item) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
    })),
    currency: valid.currency,
  };
}

/** An order id from the path, lower-cased; throws a 400 when it is not a UUID. */
export function parseOrderId(id: string): string {
  if (!isUuid(id)) {
    throw validationFailed([{ in: 'path', path: '/id', message: 'must be a UUID' }]);
  }

  return id.toLowerCase();
}

/** Visible ASCII only, so the key prints and compares the same everywhere. */
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, or undefined when absent; throws a 400 when malformed. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  if (!idempotencyKeyPattern.test(header)) {
    throw validationFailed([
      {
        in: 'header',
        path: '/Idempotency-Key',
        message: 'must be 1 to 255 visible ASCII characters',
      },
    ]);
  }

  return header;
}

export interface ListQuery {
  status: OrderStatus | undefined;
  limit: number;
  cursor: OrderCursor | undefined;
}

export const defaultPageSize = 20;
export const maxPageSize = 100;

/** GET /orders parameters; throws a 400 naming every bad one. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const errors: FieldError[] = [];
  const bad = (name: string, message: string) =>
    errors.push({ in: 'query', path: `/${name}`, message });
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || typeof value === 'string') {
      return value;
    }
    bad(name, 'must be given once');
    return undefined;
  };

  const statusText = single('status');
  const status = orderStatuses.find((candidate) => candidate === statusText);
  if (statusText !== undefined && !status) {
    bad('status', `must be one of: ${orderStatuses.join(', ')}`);
  }

  const limitText = single('limit');
  const limit = limitText === undefined ? defaultPageSize : Number(limitText);
  if (limitText !== undefined && (!/^\d+$/.test(limitText) || limit < 1 || limit > maxPageSize)) {
    bad('limit', `must be an integer from 1 to ${maxPageSize}`);
  }

  const cursorText = single('cursor');
  const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
  if (cursorText !== undefined && !cursor) {
    bad('cursor', 'is not a cursor this API returned');
  }

  if (errors.length > 0) {
    throw validationFailed(errors);
  }
  return { status, limit, cursor };
}
