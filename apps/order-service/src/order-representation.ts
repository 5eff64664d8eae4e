import type { Order } from './order';

/** An order as the API shows it (the `Order` schema of the OpenAPI document). */
export function orderRepresentation(order: Order): Record<string, unknown> {
  return {
    id: order.id,
    customerId: order.customerId,
    status: order.status,
    cancelReason: order.cancelReason,
    items: order.items.map((item) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      lineTotal: item.quantity * item.unitPrice,
    })),
    total: order.totalMinor,
    currency: order.currency,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
