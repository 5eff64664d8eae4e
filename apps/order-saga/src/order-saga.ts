import type { EventTypes, OrderCancellationReason, OrderLine } from '@eventline/schemas';
import { defineSaga, type SagaAbort } from '@eventline/saga';

/** What the order saga keeps about its order (stored as JSON with the instance). */
export interface OrderSagaData {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  totalMinor: number;
  currency: string;
  /** Set by PaymentAuthorized; a refund names it. */
  paymentId?: string;
}

export interface OrderSagaTimings {
  /** How long each participant has to answer a command before the step fails. */
  stepDeadlineMs: number;
}

const actor = 'system:order-saga';

/**
 * ReserveStock → AuthorizePayment, then ConfirmOrder. A declined payment or an
 * unavailable item, or a participant silent past its deadline, compensates
 * what was done (refund, then release the stock) and cancels the order with
 * the reason. Stock release and refund are safe to send after a timeout:
 * both participants answer them even when nothing was reserved or charged.
 */
export function createOrderSaga(timings: OrderSagaTimings) {
  return defineSaga<EventTypes, OrderSagaData>({
    name: 'order',
    steps: [
      {
        name: 'reserve-stock',
        deadlineMs: timings.stepDeadlineMs,
        command: (data, sagaId) => ({
          type: 'eventline.inventory.ReserveStock',
          value: {
            sagaId,
            orderId: data.orderId,
            items: data.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
            occurredAt: new Date(),
            actor,
          },
        }),
        succeedsOn: { 'eventline.inventory.StockReserved': () => undefined },
        failsOn: { 'eventline.inventory.StockReservationFailed': () => undefined },
        compensation: {
          command: (data, sagaId) => ({
            type: 'eventline.inventory.ReleaseStock',
            value: { sagaId, orderId: data.orderId, occurredAt: new Date(), actor },
          }),
          confirmedBy: 'eventline.inventory.StockReleased',
        },
        compensateOnTimeout: true,
      },
      {
        name: 'authorize-payment',
        deadlineMs: timings.stepDeadlineMs,
        command: (data, sagaId) => ({
          type: 'eventline.payments.AuthorizePayment',
          value: {
            sagaId,
            orderId: data.orderId,
            customerId: data.customerId,
            amountMinor: data.totalMinor,
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
        failsOn: { 'eventline.payments.PaymentDeclined': () => undefined },
        compensation: {
          // After a timeout there is no payment id: the order id stands in,
          // and the payment service refunds by order.
          command: (data, sagaId) => ({
            type: 'eventline.payments.RefundPayment',
            value: {
              sagaId,
              orderId: data.orderId,
              paymentId: data.paymentId ?? data.orderId,
              amountMinor: data.totalMinor,
              currency: data.currency,
              occurredAt: new Date(),
              actor,
            },
          }),
          confirmedBy: 'eventline.payments.PaymentRefunded',
        },
        compensateOnTimeout: true,
      },
    ],

    // Confirming cannot be refused and has nothing to undo: it goes out with
    // the COMPLETED state in one transaction, rather than as a step whose
    // deadline could only undo work that succeeded.
    async onCompleted({ send, data, sagaId }) {
      await send({
        type: 'eventline.orders.ConfirmOrder',
        value: { sagaId, orderId: data.orderId, occurredAt: new Date(), actor },
      });
    },

    async onCompensated({ send, data, sagaId, abort }) {
      await send({
        type: 'eventline.orders.CancelOrder',
        value: {
          sagaId,
          orderId: data.orderId,
          reason: cancellationReason(abort),
          occurredAt: new Date(),
          actor,
        },
      });
    },

    // Compensation could not be confirmed: the order still must not stay
    // PENDING; the alert (eventline_saga_failed_total) calls a person in.
    async onFailed({ send, data, sagaId, abort }) {
      await send({
        type: 'eventline.orders.CancelOrder',
        value: {
          sagaId,
          orderId: data.orderId,
          reason: cancellationReason(abort),
          occurredAt: new Date(),
          actor,
        },
      });
    },
  });
}

function cancellationReason(abort: SagaAbort | undefined): OrderCancellationReason {
  switch (abort?.replyType) {
    case 'eventline.inventory.StockReservationFailed':
      return 'OUT_OF_STOCK';
    case 'eventline.payments.PaymentDeclined':
      return 'PAYMENT_DECLINED';
    default:
      return abort?.reason === 'STEP_TIMED_OUT' ? 'TIMED_OUT' : 'UNKNOWN';
  }
}
