import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Pool } from '@eventline/db';
import type { OutboxPublisher } from '@eventline/outbox';
import type { EventTypes } from '@eventline/schemas';

import { createSagaEngine, defineSaga, SagaError, type SagaStep } from '../src/index';
import type { SagaProgress } from '../src/instance';
import { decide, type Decision, type Trigger } from '../src/transition';

// The state machine as a pure function, on a three-step saga whose every
// step has a compensation: the orders that compensation and retries take.

interface Data {
  paymentId?: string;
}

const command = (type: 'eventline.inventory.ReserveStock') => () => ({
  type,
  value: { sagaId: 's', orderId: 'o', items: [], occurredAt: new Date(0), actor: 'a' },
});

function step(name: string, over: Partial<SagaStep<EventTypes, Data>>): SagaStep<EventTypes, Data> {
  return {
    name,
    command: command('eventline.inventory.ReserveStock'),
    succeedsOn: {},
    deadlineMs: 1_000,
    ...over,
  };
}

const saga = defineSaga<EventTypes, Data>({
  name: 'three-steps',
  steps: [
    step('reserve', {
      succeedsOn: { 'eventline.inventory.StockReserved': () => undefined },
      failsOn: { 'eventline.inventory.StockReservationFailed': () => undefined },
      compensation: {
        command: command('eventline.inventory.ReserveStock'),
        confirmedBy: 'eventline.inventory.StockReleased',
      },
    }),
    step('pay', {
      succeedsOn: {
        'eventline.payments.PaymentAuthorized': (data, reply) => ({
          ...data,
          paymentId: reply.paymentId,
        }),
      },
      failsOn: { 'eventline.payments.PaymentDeclined': () => undefined },
      compensation: {
        command: command('eventline.inventory.ReserveStock'),
        confirmedBy: 'eventline.payments.PaymentRefunded',
      },
    }),
    step('confirm', {
      succeedsOn: { 'eventline.orders.OrderConfirmed': () => undefined },
      compensation: {
        command: command('eventline.inventory.ReserveStock'),
        confirmedBy: 'eventline.orders.OrderCancelled',
      },
      compensateOnTimeout: true,
    }),
  ],
});

const start: SagaProgress = {
  state: 'RUNNING',
  stepIndex: 0,
  data: {},
  completedSteps: [],
  compensationPlan: [],
  compensationCursor: null,
  compensationAttempts: 0,
  abortReason: null,
  abortStep: null,
  abortReplyType: null,
  failureReason: null,
  failureDetail: null,
};

const reply = (type: string, value: unknown = {}): Trigger => ({ kind: 'reply', type, value });
const deadline: Trigger = { kind: 'deadline' };

/** Applies triggers in order, returning every decision; each must apply. */
function run(triggers: Trigger[], from = start, attempts = 3): Decision[] {
  const decisions: Decision[] = [];
  let progress = from;
  for (const trigger of triggers) {
    const decision = decide(saga.definition, progress, trigger, attempts);
    decisions.push(decision);
    if (decision.kind === 'apply') {
      progress = decision.next;
    }
  }
  return decisions;
}

function last(decisions: Decision[]): Extract<Decision, { kind: 'apply' }> {
  const decision = decisions[decisions.length - 1];
  assert.equal(decision?.kind, 'apply');
  return decision as Extract<Decision, { kind: 'apply' }>;
}

describe('the saga state machine', () => {
  test('success replies move step by step to COMPLETED, reducing the data', () => {
    const decisions = run([
      reply('eventline.inventory.StockReserved'),
      reply('eventline.payments.PaymentAuthorized', { paymentId: 'p-1' }),
      reply('eventline.orders.OrderConfirmed'),
    ]);
    assert.deepEqual(
      decisions.map((d) => (d.kind === 'apply' ? [d.next.state, d.send?.stepIndex] : d.kind)),
      [
        ['RUNNING', 1],
        ['RUNNING', 2],
        ['COMPLETED', undefined],
      ],
    );
    assert.deepEqual(last(decisions).next.data, { paymentId: 'p-1' });
  });

  test('compensations run over the completed steps, newest first, then the saga is COMPENSATED', () => {
    const decisions = run([
      reply('eventline.inventory.StockReserved'),
      reply('eventline.payments.PaymentAuthorized', { paymentId: 'p-1' }),
      // The last step has no failure reply; its deadline fails it.
      deadline,
      reply('eventline.orders.OrderCancelled'),
      reply('eventline.payments.PaymentRefunded'),
      reply('eventline.inventory.StockReleased'),
    ]);
    const sends = decisions.map((d) => (d.kind === 'apply' ? d.send : undefined));
    assert.deepEqual(sends.slice(2), [
      { stepIndex: 2, role: 'compensation' },
      { stepIndex: 1, role: 'compensation' },
      { stepIndex: 0, role: 'compensation' },
      undefined,
    ]);
    assert.deepEqual(last(decisions).next.compensationPlan, [2, 1, 0]);
    assert.equal(last(decisions).next.state, 'COMPENSATED');
  });

  test('a step failing by its reply compensates only the steps before it', () => {
    const decisions = run([
      reply('eventline.inventory.StockReserved'),
      reply('eventline.payments.PaymentDeclined'),
    ]);
    const failed = last(decisions);
    assert.equal(failed.transition, 'STEP_FAILED');
    assert.deepEqual(failed.next.compensationPlan, [0]);
    assert.equal(failed.next.abortReplyType, 'eventline.payments.PaymentDeclined');
  });

  test('a compensation deadline sends it again until the bound, then the saga is FAILED', () => {
    const decisions = run(
      [
        reply('eventline.inventory.StockReserved'),
        reply('eventline.payments.PaymentDeclined'),
      ].concat([deadline, deadline, deadline]),
      start,
      3,
    );
    assert.deepEqual(
      decisions.map((d) => (d.kind === 'apply' ? d.transition : d.kind)),
      [
        'STEP_SUCCEEDED',
        'STEP_FAILED',
        'COMPENSATION_RESENT',
        'COMPENSATION_RESENT',
        'COMPENSATION_EXHAUSTED',
      ],
    );
    const failed = last(decisions).next;
    assert.equal(failed.state, 'FAILED');
    assert.equal(failed.failureReason, 'COMPENSATION_EXHAUSTED');
    assert.equal(failed.compensationAttempts, 3);
  });

  test('a compensation never confirmed does not stop the ones after it; the saga then ends FAILED', () => {
    const decisions = run(
      [
        reply('eventline.inventory.StockReserved'),
        reply('eventline.payments.PaymentAuthorized', { paymentId: 'p1' }),
        deadline, // confirm timed out: plan confirm, pay, reserve
        deadline,
        deadline,
        deadline, // confirm's compensation spent: the refund goes out anyway
        reply('eventline.payments.PaymentRefunded'),
        reply('eventline.inventory.StockReleased'),
      ],
      start,
      3,
    );
    const applied = decisions.filter((d) => d.kind === 'apply');
    assert.deepEqual(
      applied.map((d) => [d.transition, d.send?.stepIndex ?? null, d.next.state]),
      [
        ['STEP_SUCCEEDED', 1, 'RUNNING'],
        ['STEP_SUCCEEDED', 2, 'RUNNING'],
        ['STEP_TIMED_OUT', 2, 'COMPENSATING'],
        ['COMPENSATION_RESENT', 2, 'COMPENSATING'],
        ['COMPENSATION_RESENT', 2, 'COMPENSATING'],
        ['COMPENSATION_EXHAUSTED', 1, 'COMPENSATING'],
        ['COMPENSATION_CONFIRMED', 0, 'COMPENSATING'],
        ['COMPENSATION_CONFIRMED', null, 'FAILED'],
      ],
    );
    const ended = last(decisions).next;
    assert.equal(ended.failureReason, 'COMPENSATION_EXHAUSTED');
    assert.match(ended.failureDetail ?? '', /step confirm was sent 3 times without/);
  });

  test('replies the saga is not waiting for are ignored, and every reply after the end', () => {
    const [, early] = run([
      reply('eventline.inventory.StockReserved'),
      reply('eventline.inventory.StockReserved'),
    ]);
    assert.deepEqual(early, { kind: 'ignore', reason: 'not-awaited', uncompensatedEffect: false });

    const ended = last(run([reply('eventline.inventory.StockReservationFailed')])).next;
    assert.equal(ended.state, 'COMPENSATED');
    const after = decide(saga.definition, ended, reply('eventline.inventory.StockReleased'), 3);
    assert.deepEqual(after, { kind: 'ignore', reason: 'terminal', uncompensatedEffect: false });
  });

  test('a late success of a timed-out step nothing compensates is flagged', () => {
    const timedOut = last(run([reply('eventline.inventory.StockReserved'), deadline])).next;
    assert.deepEqual(
      timedOut.compensationPlan,
      [0],
      'the payment step is not compensated on timeout',
    );
    const late = decide(
      saga.definition,
      timedOut,
      reply('eventline.payments.PaymentAuthorized', { paymentId: 'p-2' }),
      3,
    );
    assert.deepEqual(late, { kind: 'ignore', reason: 'not-awaited', uncompensatedEffect: true });
  });
});

describe('checks at construction', () => {
  const invalid = (over: Partial<SagaStep<EventTypes, Data>>) => () =>
    defineSaga<EventTypes, Data>({
      name: 'bad',
      steps: [
        step('one', {
          succeedsOn: { 'eventline.inventory.StockReserved': () => undefined },
          ...over,
        }),
      ],
    });

  test('a saga definition that cannot work is refused, naming the field', () => {
    const cases: [Partial<SagaStep<EventTypes, Data>>, RegExp][] = [
      [{ deadlineMs: 0 }, /steps\[0\]\.deadlineMs/],
      [{ succeedsOn: {} }, /steps\[0\]\.succeedsOn/],
      [{ compensateOnTimeout: true }, /steps\[0\]\.compensateOnTimeout/],
      [
        { failsOn: { 'eventline.inventory.StockReserved': () => undefined } },
        /steps\[0\]\.failsOn takes eventline\.inventory\.StockReserved/,
      ],
    ];
    for (const [over, message] of cases) {
      assert.throws(invalid(over), (error: unknown) => {
        assert.ok(error instanceof SagaError);
        assert.equal(error.code, 'DEFINITION_INVALID');
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test('engine options that cannot work are refused, naming the option', () => {
    const base = {
      pool: {} as Pool,
      publisher: {} as OutboxPublisher<EventTypes>,
      sagas: [saga],
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ compensationAttempts: 0 }, /compensationAttempts/],
      [{ deadlineIntervalMs: 1.5 }, /deadlineIntervalMs/],
      [{ sagas: [] }, /sagas/],
      [{ sagas: [saga, saga] }, /sagas\[1\] repeats the saga name three-steps/],
    ];
    for (const [over, message] of cases) {
      assert.throws(
        () => createSagaEngine<EventTypes>({ ...base, ...over }),
        (error: unknown) =>
          error instanceof SagaError &&
          error.code === 'CONFIG_INVALID' &&
          message.test(error.message),
      );
    }
  });
});
