import type { EventTypes, OrderCancellationReason, OrderPlaced } from '@eventline/schemas';

import { defineSaga, type Saga, type SagaHookContext } from '../src/index';

/** The data of the test order saga: what its commands need, and what replies add. */
export interface TestOrderData {
  orderId: string;
  customerId: string;
  items: { sku: string; quantity: number }[];
  amountMinor: number;
  currency: string;
  paymentId?: string;
  cancelReason?: OrderCancellationReason;
}

const actor = 'system:test-saga';

export function dataFromOrder(order: OrderPlaced): TestOrderData {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    items: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    amountMinor: order.totalMinor,
    currency: order.currency,
  };
}

async function cancelOrder({ sagaId, data, send }: SagaHookContext<EventTypes, TestOrderData>) {
  await send({
    type: 'eventline.orders.CancelOrder',
    value: {
      sagaId,
      orderId: data.orderId,
      reason: data.cancelReason ?? 'TIMED_OUT',
      occurredAt: new Date(),
      actor,
    },
  });
}

/**
 * Two steps on the real schemas: reserve stock (compensated by releasing it,
 * also when the reservation timed out), then authorize the payment (the
 * last step: nothing after it can fail, so it needs no compensation). The
 * hooks tell the order service the outcome, as the order saga does.
 */
export function testOrderSaga(deadlineMs: number): Saga<EventTypes, TestOrderData> {
  return defineSaga<EventTypes, TestOrderData>({
    name: 'test-order',
    steps: [
      {
        name: 'reserve-stock',
        command: (data, sagaId) => ({
          type: 'eventline.inventory.ReserveStock',
          value: {
            sagaId,
            orderId: data.orderId,
            items: data.items,
            occurredAt: new Date(),
            actor,
          },
        }),
        succeedsOn: { 'eventline.inventory.StockReserved': () => undefined },
        failsOn: {
          'eventline.inventory.StockReservationFailed': (data) => ({
            ...data,
            cancelReason: 'OUT_OF_STOCK',
          }),
        },
        compensation: {
          command: (data, sagaId) => ({
            type: 'eventline.inventory.ReleaseStock',
            value: { sagaId, orderId: data.orderId, occurredAt: new Date(), actor },
          }),
          confirmedBy: 'eventline.inventory.StockReleased',
          // A round trip through the outbox, Debezium and Kafka can pass a
          // two-second deadline on a loaded two-core machine; a resend there
          // would be correct but would shift the transitions the tests compare.
          deadlineMs: deadlineMs * 2,
        },
        compensateOnTimeout: true,
        deadlineMs,
      },
      {
        name: 'authorize-payment',
        command: (data, sagaId) => ({
          type: 'eventline.payments.AuthorizePayment',
          value: {
            sagaId,
            orderId: data.orderId,
            customerId: data.customerId,
            amountMinor: data.amountMinor,
            currency: data.currency,
            occurredAt: new Date(),
            actor,
          },
        }),
        succeedsOn: {
          'eventline.payments.PaymentAuthorized': (data, reply) => ({
            ...data,
            paymentId: reply.paymentId,
          }),
        },
        failsOn: {
          'eventline.payments.PaymentDeclined': (data) => ({
            ...data,
            cancelReason: 'PAYMENT_DECLINED',
          }),
        },
        deadlineMs,
      },
    ],
    async onCompleted({ sagaId, data, send }) {
      await send({
        type: 'eventline.orders.ConfirmOrder',
        value: { sagaId, orderId: data.orderId, occurredAt: new Date(), actor },
      });
    },
    onCompensated: cancelOrder,
    onFailed: cancelOrder,
  });
}
