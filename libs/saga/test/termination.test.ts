import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { waitFor } from '@eventline/testkit';

import { isTerminal, type SagaState } from '../src/index';
import { cooperative, type Behaviour } from './participants';
import { createSagaWorld, type SagaWorld } from './world';

// Every saga ends COMPLETED, COMPENSATED or FAILED, never stuck: many sagas
// at once, their participants agreeing, refusing, or keeping silent.

const compensationAttempts = 2;
let world: SagaWorld;

before(async () => {
  // Longer deadlines than the other files: fifty sagas at once must not time
  // out because the machine is busy, only because a participant is silent.
  world = await createSagaWorld('t_saga_end', { deadlineMs: 4_000, compensationAttempts });
});

after(async () => {
  await world?.close();
});

/** Each behaviour with the end it must lead to. */
const cases: { behaviour: Behaviour; expected: SagaState }[] = [
  { behaviour: cooperative, expected: 'COMPLETED' },
  { behaviour: { ...cooperative, stock: 'fail' }, expected: 'COMPENSATED' },
  { behaviour: { ...cooperative, payment: 'decline' }, expected: 'COMPENSATED' },
  { behaviour: { ...cooperative, stock: 'silent' }, expected: 'COMPENSATED' },
  { behaviour: { ...cooperative, payment: 'silent' }, expected: 'COMPENSATED' },
  { behaviour: { ...cooperative, payment: 'decline', release: 'silent' }, expected: 'FAILED' },
  { behaviour: { ...cooperative, stock: 'silent', release: 'silent' }, expected: 'FAILED' },
];

test('fifty sagas with participants that agree, refuse or keep silent all end in the state their behaviour leads to', async () => {
  const started: { sagaId: string; expected: SagaState }[] = [];
  for (let i = 0; i < 50; i++) {
    const { behaviour, expected } = cases[i % cases.length] as (typeof cases)[number];
    started.push({ sagaId: await world.placeOrder(behaviour), expected });
  }

  const ended = await waitFor(
    async () => {
      const { rows } = await world.db.pool.query<{ id: string; state: SagaState }>(
        'SELECT id, state FROM saga_instances WHERE id = ANY($1::uuid[])',
        [started.map((s) => s.sagaId)],
      );
      const done = rows.filter((row) => isTerminal(row.state));
      return done.length === started.length ? new Map(done.map((r) => [r.id, r.state])) : false;
    },
    { what: 'all fifty sagas to end', timeoutMs: 120_000, intervalMs: 250 },
  );

  const mismatches = started
    .filter((s) => ended.get(s.sagaId) !== s.expected)
    .map((s) => `${s.sagaId}: ${ended.get(s.sagaId)}, expected ${s.expected}`);
  assert.deepEqual(mismatches, []);

  const failed = started.filter((s) => s.expected === 'FAILED').length;
  assert.equal(await world.metric('eventline_saga_failed_total'), failed);
  const { rows } = await world.db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM saga_instances WHERE deadline_at IS NOT NULL OR state IN ('RUNNING', 'COMPENSATING')",
  );
  assert.equal(rows[0]?.n, 0, 'no saga is left with a deadline or in an active state');
});
