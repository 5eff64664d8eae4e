import {
  createSagaEngine,
  readSagaInstance,
  readSagaTransitions,
  sagaMigrations,
} from '@eventline/saga';
import type { EventTypes } from '@eventline/schemas';
import { startService, type ServiceConfig, type StartedService } from '@eventline/service';

import { createOrderSaga, type OrderSagaTimings } from './order-saga';

export interface OrderSagaOptions extends OrderSagaTimings {
  /** How often passed deadlines are looked for. */
  deadlineIntervalMs: number;
  /** Sends of a compensation before the saga ends FAILED. */
  compensationAttempts: number;
  /**
   * How long after start the deadline watcher waits before its first pass.
   * After a crash the group keeps the dead process's partitions until its
   * session expires, so replies already in Kafka cannot be read before then;
   * they must not lose to deadlines that passed while nobody could read them.
   */
  deadlineWatcherDelayMs?: number;
}

export const defaultOrderSagaOptions: OrderSagaOptions = {
  stepDeadlineMs: 10_000,
  deadlineIntervalMs: 1_000,
  compensationAttempts: 5,
};

/**
 * The orchestrator: starts an order saga for each OrderPlaced, takes the
 * participants' replies, sends commands through its outbox, and watches
 * deadlines. GET /sagas/:id shows an instance and its transitions.
 */
export async function startOrderSaga(
  config: ServiceConfig,
  options: OrderSagaOptions = defaultOrderSagaOptions,
): Promise<{ runtime: StartedService; url: string }> {
  const runtime = await startService(config, [sagaMigrations], async (runtime) => {
    const publisher = await runtime.publisher([
      'inventory.commands',
      'payments.commands',
      'orders.commands',
    ]);
    const saga = createOrderSaga(options);
    const engine = createSagaEngine<EventTypes>({
      pool: runtime.pool,
      publisher,
      sagas: [saga],
      deadlineIntervalMs: options.deadlineIntervalMs,
      compensationAttempts: options.compensationAttempts,
      metricsRegistry: runtime.metrics,
      logger: runtime.logger,
    });

    const consumer = runtime.consumer(['orders.events', 'inventory.events', 'payments.events'], {
      publisher,
    });
    consumer.on('eventline.orders.OrderPlaced', 'start-order-saga', async (context) => {
      const order = context.event.value;
      await engine.start(context, saga, order.orderId, {
        orderId: order.orderId,
        customerId: order.customerId,
        lines: order.lines,
        totalMinor: order.totalMinor,
        currency: order.currency,
      });
    });
    engine.register(consumer);

    await consumer.start();
    runtime.onStop(() => consumer.stop());
    const delayed = setTimeout(
      () => engine.startDeadlineWatcher(),
      options.deadlineWatcherDelayMs ?? 0,
    );
    runtime.onStop(async () => {
      clearTimeout(delayed);
      await engine.stop();
    });

    return (app) =>
      app.get('/sagas/:id', async (request, response) => {
        const instance = await readSagaInstance(runtime.pool, request.params.id).catch(
          () => undefined,
        );
        if (!instance) {
          response
            .status(404)
            .type('application/problem+json')
            .json({
              type: 'about:blank',
              title: 'Not Found',
              status: 404,
              detail: `No saga ${request.params.id}`,
            });
          return;
        }
        const transitions = await readSagaTransitions(runtime.pool, instance.id);
        response.json({ ...instance, transitions });
      });
  });
  return { runtime, url: runtime.url };
}
