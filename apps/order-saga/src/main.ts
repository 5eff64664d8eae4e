import { stopOnSignals } from '@eventline/consumer';
import { serviceConfigFrom } from '@eventline/service';

import { defaultOrderSagaOptions, startOrderSaga } from './app';

const config = serviceConfigFrom(process.env, {
  name: 'order-saga',
  database: 'order_saga',
  httpPort: 3001,
});
const stepDeadlineMs = Number(
  process.env.SAGA_STEP_DEADLINE_MS ?? defaultOrderSagaOptions.stepDeadlineMs,
);
if (!Number.isInteger(stepDeadlineMs) || stepDeadlineMs < 100) {
  throw new Error(
    `SAGA_STEP_DEADLINE_MS must be an integer >= 100, got "${process.env.SAGA_STEP_DEADLINE_MS}"`,
  );
}

const { runtime, url } = await startOrderSaga(config, {
  ...defaultOrderSagaOptions,
  stepDeadlineMs,
  // A crashed predecessor holds the partitions for a session timeout; then a rebalance.
  deadlineWatcherDelayMs: config.consumerSessionTimeoutMs + 3_000,
});
runtime.logger.info({ url }, 'Order saga started');
stopOnSignals([runtime], runtime.logger);
