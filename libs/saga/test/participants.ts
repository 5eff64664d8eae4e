import { randomUUID } from 'node:crypto';

import type { Codec, EventTypes } from '@eventline/schemas';
import type { Consumer, Kafka } from 'kafkajs';

/** What the fake participants do with one saga's commands. */
export interface Behaviour {
  stock: 'reserve' | 'fail' | 'silent';
  payment: 'authorize' | 'decline' | 'silent';
  release: 'confirm' | 'silent';
}

export const cooperative: Behaviour = {
  stock: 'reserve',
  payment: 'authorize',
  release: 'confirm',
};

/** A command as a participant received it. */
export interface ReceivedCommand {
  type: string;
  sagaId: string;
  key: string;
  headers: Record<string, string>;
}

export type Produce = <N extends keyof EventTypes & string>(
  type: N,
  key: string,
  value: EventTypes[N],
  options?: { headers?: Record<string, string>; id?: string; partition?: number },
) => Promise<string>;

export interface Participants {
  /** Every command received, in arrival order. */
  received: ReceivedCommand[];
  commandsOf(sagaId: string, type?: string): ReceivedCommand[];
  behave(sagaId: string, behaviour: Behaviour): void;
  stop(): Promise<void>;
}

/**
 * Inventory, payments and the order service as plain kafkajs consumers of
 * the command topics: they record each command and reply (or keep silent)
 * as the saga's behaviour says, producing framed Avro keyed by the saga id
 * with an `id` header and the command's correlation id, as a participant
 * publishing through its outbox would.
 */
export async function startParticipants(
  kafka: Kafka,
  groupId: string,
  topics: string[],
  codec: Codec,
  produce: Produce,
): Promise<Participants> {
  const received: ReceivedCommand[] = [];
  const behaviours = new Map<string, Behaviour>();
  const consumer: Consumer = kafka.consumer({ groupId });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );

  async function answer(command: ReceivedCommand, value: Record<string, unknown>): Promise<void> {
    const behaviour = behaviours.get(command.sagaId) ?? cooperative;
    const orderId = String(value.orderId);
    const base = { sagaId: command.sagaId, orderId, occurredAt: new Date(), actor: 'system:fake' };
    const correlationId = command.headers.correlationId;
    const options = { headers: correlationId ? { correlationId } : {} };

    switch (command.type) {
      case 'eventline.inventory.ReserveStock':
        if (behaviour.stock === 'reserve') {
          await produce('eventline.inventory.StockReserved', command.key, base, options);
        } else if (behaviour.stock === 'fail') {
          await produce(
            'eventline.inventory.StockReservationFailed',
            command.key,
            { ...base, reason: 'OUT_OF_STOCK', unavailableSkus: ['sku-1'] },
            options,
          );
        }
        return;
      case 'eventline.inventory.ReleaseStock':
        if (behaviour.release === 'confirm') {
          await produce('eventline.inventory.StockReleased', command.key, base, options);
        }
        return;
      case 'eventline.payments.AuthorizePayment': {
        const money = { amountMinor: Number(value.amountMinor), currency: String(value.currency) };
        if (behaviour.payment === 'authorize') {
          await produce(
            'eventline.payments.PaymentAuthorized',
            command.key,
            { ...base, ...money, paymentId: randomUUID() },
            options,
          );
        } else if (behaviour.payment === 'decline') {
          await produce(
            'eventline.payments.PaymentDeclined',
            command.key,
            { ...base, reason: 'INSUFFICIENT_FUNDS' },
            options,
          );
        }
        return;
      }
      default:
        // ConfirmOrder and CancelOrder: recorded only.
        return;
    }
  }

  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = await codec.decode(message.value ?? Buffer.alloc(0));
      const value = decoded.value as Record<string, unknown>;
      const headers: Record<string, string> = {};
      for (const [name, raw] of Object.entries(message.headers ?? {})) {
        if (raw !== undefined) {
          headers[name] = String(raw);
        }
      }
      const command: ReceivedCommand = {
        type: decoded.fullName,
        sagaId: String(value.sagaId),
        key: message.key?.toString() ?? '',
        headers,
      };
      received.push(command);
      await answer(command, value);
    },
  });
  await joined;

  return {
    received,
    commandsOf: (sagaId, type) =>
      received.filter((c) => c.sagaId === sagaId && (type === undefined || c.type === type)),
    behave: (sagaId, behaviour) => behaviours.set(sagaId, behaviour),
    stop: () => consumer.disconnect(),
  };
}
