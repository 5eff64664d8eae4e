import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { waitFor } from '@eventline/testkit';

import type { SagaTransition } from '../src/index';
import { cooperative } from './participants';
import type { TestOrderData } from './test-saga';
import { createSagaWorld, type SagaWorld } from './world';

// The saga engine on the consumer runtime, real Postgres, Debezium and
// Kafka: replies move sagas, deadlines start compensation, and nothing a
// participant sends late or twice moves a saga a second time.

const deadlineMs = 2_000;
const compensationAttempts = 3;
let world: SagaWorld;

before(async () => {
  world = await createSagaWorld('t_saga', { deadlineMs, compensationAttempts });
});

after(async () => {
  await world?.close();
});

/** [version, kind, from, to, step, reply, commands] of each transition, for one assertion. */
function summary(transitions: SagaTransition[]) {
  return transitions.map((t) => [
    t.version,
    t.kind,
    t.fromState,
    t.toState,
    t.stepName,
    t.replyType,
    t.commands,
  ]);
}

test('a saga whose participants all agree ends COMPLETED with its transitions in order', async () => {
  const correlationId = randomUUID();
  const sagaId = await world.placeOrder(cooperative, { correlationId });

  const ended = await world.waitForTerminal(sagaId);
  assert.equal(ended.state, 'COMPLETED');
  assert.equal(ended.version, 3);
  assert.equal(ended.deadlineAt, null);
  assert.ok(ended.endedAt);
  assert.match((ended.data as TestOrderData).paymentId ?? '', /^[0-9a-f-]{36}$/, 'reply reduced');

  const transitions = await world.transitions(sagaId);
  assert.deepEqual(summary(transitions), [
    [1, 'STARTED', null, 'RUNNING', 'reserve-stock', null, ['eventline.inventory.ReserveStock']],
    [
      2,
      'STEP_SUCCEEDED',
      'RUNNING',
      'RUNNING',
      'reserve-stock',
      'eventline.inventory.StockReserved',
      ['eventline.payments.AuthorizePayment'],
    ],
    [
      3,
      'STEP_SUCCEEDED',
      'RUNNING',
      'COMPLETED',
      'authorize-payment',
      'eventline.payments.PaymentAuthorized',
      ['eventline.orders.ConfirmOrder'],
    ],
  ]);

  // The participants got each command once, keyed by the saga, with the
  // order's correlation id, each caused by the reply that triggered it.
  await waitFor(() => world.participants.commandsOf(sagaId, 'eventline.orders.ConfirmOrder')[0], {
    what: 'the ConfirmOrder sent by the completion hook',
  });
  const commands = world.participants.commandsOf(sagaId);
  assert.deepEqual(
    commands.map((c) => c.type),
    [
      'eventline.inventory.ReserveStock',
      'eventline.payments.AuthorizePayment',
      'eventline.orders.ConfirmOrder',
    ],
  );
  for (const command of commands) {
    assert.equal(command.key, sagaId);
    assert.equal(command.headers.correlationId, correlationId);
  }
  assert.equal(commands[1]?.headers.causationId, transitions[1]?.replyEventId);
  assert.equal(commands[2]?.headers.causationId, transitions[2]?.replyEventId);
});

test('a failing second step compensates the first and the saga ends COMPENSATED', async () => {
  const sagaId = await world.placeOrder({ ...cooperative, payment: 'decline' });

  const ended = await world.waitForTerminal(sagaId);
  assert.equal(ended.state, 'COMPENSATED');
  assert.equal(ended.abortReason, 'STEP_FAILED');
  assert.equal(ended.abortStep, 1);
  assert.deepEqual(ended.compensationPlan, [0]);
  assert.deepEqual(summary(await world.transitions(sagaId)).slice(2), [
    [
      3,
      'STEP_FAILED',
      'RUNNING',
      'COMPENSATING',
      'authorize-payment',
      'eventline.payments.PaymentDeclined',
      ['eventline.inventory.ReleaseStock'],
    ],
    [
      4,
      'COMPENSATION_CONFIRMED',
      'COMPENSATING',
      'COMPENSATED',
      'reserve-stock',
      'eventline.inventory.StockReleased',
      ['eventline.orders.CancelOrder'],
    ],
  ]);
  assert.equal((ended.data as TestOrderData).cancelReason, 'PAYMENT_DECLINED');
});

test('a saga whose first step fails has nothing to compensate and ends COMPENSATED at once', async () => {
  const sagaId = await world.placeOrder({ ...cooperative, stock: 'fail' });

  const ended = await world.waitForTerminal(sagaId);
  assert.equal(ended.state, 'COMPENSATED');
  assert.equal(ended.version, 2);
  assert.deepEqual(ended.compensationPlan, []);
  const kinds = (await world.transitions(sagaId)).map((t) => [t.kind, t.commands]);
  assert.deepEqual(kinds, [
    ['STARTED', ['eventline.inventory.ReserveStock']],
    ['STEP_FAILED', ['eventline.orders.CancelOrder']],
  ]);
});

test('a step deadline passing starts compensation, and a reply arriving after it changes nothing', async () => {
  const sagaId = await world.placeOrder({ ...cooperative, payment: 'silent' });

  const ended = await world.waitForTerminal(sagaId);
  assert.equal(ended.state, 'COMPENSATED');
  assert.equal(ended.abortReason, 'STEP_TIMED_OUT');
  const transitions = await world.transitions(sagaId);
  // Under load the release's confirmation can take longer than its deadline,
  // and the watcher sends it again (COMPENSATION_RESENT): a retry, not a
  // change of course, so the state changes are compared without it.
  assert.deepEqual(
    transitions.map((t) => t.kind).filter((kind) => kind !== 'COMPENSATION_RESENT'),
    ['STARTED', 'STEP_SUCCEEDED', 'STEP_TIMED_OUT', 'COMPENSATION_CONFIRMED'],
  );
  const [, asked, timedOut] = transitions;
  const waited = (timedOut?.at.getTime() ?? 0) - (asked?.at.getTime() ?? 0);
  assert.ok(waited >= deadlineMs - 50, `the step was given its deadline (waited ${waited} ms)`);

  // The watcher sent the release: the saga is its cause, the correlation is kept.
  const release = await waitFor(
    () => world.participants.commandsOf(sagaId, 'eventline.inventory.ReleaseStock')[0],
  );
  const reserve = world.participants.commandsOf(sagaId, 'eventline.inventory.ReserveStock')[0];
  assert.equal(release.headers.causationId, sagaId);
  assert.equal(release.headers.correlationId, reserve?.headers.correlationId);

  // Payments answers at last: the saga has ended and stays as it is.
  const late = await world.produce('eventline.payments.PaymentAuthorized', sagaId, {
    sagaId,
    orderId: (ended.data as TestOrderData).orderId,
    paymentId: randomUUID(),
    amountMinor: 2500,
    currency: 'EUR',
    occurredAt: new Date(),
    actor: 'system:fake',
  });
  await waitFor(() => world.handled(late), { what: 'the late reply to be handled' });
  const after = await world.instance(sagaId);
  assert.equal(after?.state, 'COMPENSATED');
  assert.equal(after?.version, ended.version);
  assert.equal((await world.transitions(sagaId)).length, transitions.length);
});

test('a reservation whose reply never came is released, since inventory may have acted', async () => {
  const sagaId = await world.placeOrder({ ...cooperative, stock: 'silent' });

  const ended = await world.waitForTerminal(sagaId);
  assert.equal(ended.state, 'COMPENSATED');
  assert.deepEqual(ended.completedSteps, []);
  assert.deepEqual(ended.compensationPlan, [0], 'the timed-out step itself is compensated');
  assert.deepEqual(
    (await world.transitions(sagaId))
      .filter((t) => t.kind !== 'COMPENSATION_RESENT') // a retry under load, as above
      .map((t) => [t.kind, t.commands]),
    [
      ['STARTED', ['eventline.inventory.ReserveStock']],
      ['STEP_TIMED_OUT', ['eventline.inventory.ReleaseStock']],
      ['COMPENSATION_CONFIRMED', ['eventline.orders.CancelOrder']],
    ],
  );
});

test('a compensation never confirmed is sent again up to the bound, then the saga is FAILED with the alert', async () => {
  assert.equal(await world.metric('eventline_saga_failed_total'), 0, 'no saga failed before');
  const sagaId = await world.placeOrder({ ...cooperative, payment: 'decline', release: 'silent' });

  const ended = await world.waitForTerminal(sagaId, 60_000);
  assert.equal(ended.state, 'FAILED');
  assert.equal(ended.failureReason, 'COMPENSATION_EXHAUSTED');
  assert.equal(ended.compensationAttempts, compensationAttempts);
  assert.deepEqual(
    (await world.transitions(sagaId)).map((t) => [t.kind, t.commands]),
    [
      ['STARTED', ['eventline.inventory.ReserveStock']],
      ['STEP_SUCCEEDED', ['eventline.payments.AuthorizePayment']],
      ['STEP_FAILED', ['eventline.inventory.ReleaseStock']],
      ['COMPENSATION_RESENT', ['eventline.inventory.ReleaseStock']],
      ['COMPENSATION_RESENT', ['eventline.inventory.ReleaseStock']],
      ['COMPENSATION_EXHAUSTED', ['eventline.orders.CancelOrder']],
    ],
  );
  assert.equal(await world.metric('eventline_saga_failed_total'), 1);

  // Inventory received the release the bounded number of times, then the order was cancelled.
  await waitFor(() => world.participants.commandsOf(sagaId, 'eventline.orders.CancelOrder')[0], {
    what: 'the CancelOrder sent by the failure hook',
  });
  const releases = world.participants.commandsOf(sagaId, 'eventline.inventory.ReleaseStock');
  assert.equal(releases.length, compensationAttempts);
  assert.deepEqual(
    releases.slice(1).map((r) => r.headers.causationId),
    [sagaId, sagaId],
    're-sent by the watcher, caused by the saga',
  );
});
