import type { OrderCancellationReason } from '@eventline/schemas';

/**
 * An order's life: PENDING from the POST until the saga decides; then
 * CONFIRMED (stock reserved, payment authorized) or CANCELLED (with a
 * reason). Both are final: a command that would leave a final state is
 * refused, never applied.
 */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export const orderStatuses: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'CANCELLED'];

/**
 * The ISO 4217 currencies the API accepts. A closed list on purpose: the
 * payment side must be able to charge every one of them.
 */
export const currencies = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK'] as const;

export type Currency = (typeof currencies)[number];

/** Bounds that keep every total below 2^53, so amounts stay exact as JSON numbers and Avro longs. */
export const limits = {
  maxItems: 100,
  maxQuantity: 1000,
  maxUnitPrice: 10_000_000_000,
  maxSkuLength: 64,
  maxBodyBytes: 64 * 1024,
} as const;

/** One line as the client sends it and reads it back: amounts in minor units. */
export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** A validated POST /orders body. */
export interface PlaceOrderRequest {
  customerId: string;
  items: OrderItem[];
  currency: Currency;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  cancelReason: OrderCancellationReason | null;
  items: OrderItem[];
  totalMinor: number;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The sum of quantity times unit price over the items. */
export function orderTotal(items: OrderItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}
