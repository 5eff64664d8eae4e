// The checker of the saga fault scenarios: reads every service's database
// and asserts the order system's invariants (ARCHITECTURE.md 3 and 5, and
// the order flow's own): every saga terminal, every order's status its
// saga's outcome, stock and payments reconciled exactly with the confirmed
// orders, one order per Idempotency-Key, one notification per ended order,
// and no saga moved twice or moved after it ended.
import type { OrderSystem, ServiceName } from '../../apps/order-saga/test/system';
import { readStock, skus, type SagaWorld } from './saga-world';

export interface SagaVerdict {
  /** Sagas (orders) the checker looked at. */
  checked: number;
  violations: string[];
  details: Record<string, number | string>;
}

interface Snapshot {
  orders: {
    id: string;
    status: string;
    cancel_reason: string | null;
    key: string | null;
    lines: { sku: string; quantity: number }[];
  }[];
  sagas: {
    id: string;
    state: string;
    version: number;
    abort_reason: string | null;
    abort_step: number | null;
  }[];
  transitions: {
    saga_id: string;
    version: number;
    kind: string;
    from_state: string | null;
    step_index: number;
  }[];
  stock: Awaited<ReturnType<typeof readStock>>;
  payments: { order_id: string; state: string }[];
  notifications: { order_id: string; kind: string }[];
  /** Orders that still hold a reservation. */
  holding: string[];
  parked: number;
}

const terminal = new Set(['COMPLETED', 'COMPENSATED', 'FAILED']);
const forwardKinds = new Set(['STEP_SUCCEEDED', 'STEP_FAILED', 'STEP_TIMED_OUT']);

/**
 * Polls until every invariant holds or `deadlineMs` passes, then reports
 * what is broken at that moment. `quiet` (when given) must also hold before
 * the last look: a scenario still delivering replies says so through it.
 */
export async function checkSagas(
  world: SagaWorld,
  deadlineMs: number,
  quiet: () => Promise<boolean> = async () => true,
): Promise<SagaVerdict> {
  const started = Date.now();
  const deadline = started + deadlineMs;
  // Another run may restart Postgres or Kafka under this one: a look that
  // cannot be taken is taken again on the next poll, until the deadline.
  const look = async (): Promise<SagaVerdict> => {
    try {
      return evaluate(world, await snapshot(world.system));
    } catch (error) {
      return {
        checked: 0,
        violations: [`the checker could not read the databases: ${String(error)}`],
        details: {},
      };
    }
  };
  const isQuiet = () => quiet().catch(() => false);
  let verdict = await look();
  let settledAt: number | undefined;
  while (Date.now() < deadline) {
    if (verdict.violations.length === 0 && (await isQuiet())) {
      // Look once more after the replies in flight are in: a late one must not have moved anything.
      verdict = await look();
      settledAt = Date.now();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    verdict = await look();
  }
  verdict.details.settleMs = settledAt === undefined ? `over ${deadlineMs}` : settledAt - started;
  return verdict;
}

async function snapshot(system: OrderSystem): Promise<Snapshot> {
  const db = (name: ServiceName) => system.databases[name].pool;
  const orders = await db('orders').query<Snapshot['orders'][number]>(
    `SELECT id, status, cancel_reason, idempotency_key AS key,
            (SELECT jsonb_agg(jsonb_build_object('sku', l->>'sku', 'quantity', (l->>'quantity')::int))
               FROM jsonb_array_elements(lines) AS l) AS lines
       FROM orders`,
  );
  const sagas = await db('saga').query<Snapshot['sagas'][number]>(
    'SELECT id, state, version, abort_reason, abort_step FROM saga_instances',
  );
  const transitions = await db('saga').query<Snapshot['transitions'][number]>(
    'SELECT saga_id, version, kind, from_state, step_index FROM saga_transitions',
  );
  const payments = await db('payments').query<Snapshot['payments'][number]>(
    'SELECT order_id, state FROM payments',
  );
  const notifications = await db('notifications').query<Snapshot['notifications'][number]>(
    'SELECT order_id, kind FROM notifications',
  );
  const holding = await db('inventory').query<{ order_id: string }>(
    "SELECT DISTINCT order_id FROM reservations WHERE state = 'reserved'",
  );
  let parked = 0;
  for (const name of ['orders', 'saga', 'inventory', 'payments', 'notifications'] as const) {
    const { rows } = await db(name).query<{ n: number }>(
      "SELECT count(*)::int AS n FROM consumer_parked WHERE state = 'parked'",
    );
    parked += rows[0]?.n ?? 0;
  }
  return {
    orders: orders.rows,
    sagas: sagas.rows,
    transitions: transitions.rows,
    stock: await readStock(system),
    payments: payments.rows,
    notifications: notifications.rows,
    holding: holding.rows.map((r) => r.order_id),
    parked,
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  }
  return counts;
}

function evaluate(world: SagaWorld, s: Snapshot): SagaVerdict {
  const violations: string[] = [];
  const flag = (count: number, sentence: string) => {
    if (count > 0) {
      violations.push(`${count} ${sentence}`);
    }
  };

  // What the generator sent: every POST answered, one order per key.
  // A refused POST is retried with its key; an order still refused after a minute of that is lost.
  const refused = world.placed.filter((p) => p.answeredIds.length === 0);
  flag(
    refused.length,
    `orders were never accepted, their POSTs refused or lost (first: ${refused[0]?.failures.at(-1) ?? ''})`,
  );
  if (world.placed.length - refused.length === 0) {
    violations.push('no order was accepted: nothing was tested');
  }
  flag(
    world.placed.filter((p) => new Set(p.answeredIds).size > 1).length,
    'Idempotency-Keys were answered with more than one order id',
  );
  const ordersByKey = countBy(s.orders, (o) => o.key ?? '');
  flag(
    world.placed.filter((p) => (ordersByKey.get(p.idempotencyKey) ?? 0) > 1).length,
    'Idempotency-Keys have more than one order row',
  );
  flag(
    world.placed.filter((p) => p.answeredIds.length > 0 && !ordersByKey.has(p.idempotencyKey))
      .length,
    'accepted orders have no order row',
  );
  const ourKeys = new Set(world.placed.map((p) => p.idempotencyKey));
  flag(s.orders.filter((o) => !ourKeys.has(o.key ?? '')).length, 'order rows match no POST sent');

  // Every saga terminal, and its order's status its outcome.
  const sagaById = new Map(s.sagas.map((saga) => [saga.id, saga]));
  const orderIds = new Set(s.orders.map((o) => o.id));
  flag(s.orders.filter((o) => o.status === 'PENDING').length, 'orders are still PENDING');
  flag(s.sagas.filter((saga) => !terminal.has(saga.state)).length, 'sagas are not terminal');
  flag(s.orders.filter((o) => !sagaById.has(o.id)).length, 'orders have no saga');
  flag(s.sagas.filter((saga) => !orderIds.has(saga.id)).length, 'sagas have no order');
  const mismatched = s.orders.filter((o) => {
    const state = sagaById.get(o.id)?.state;
    return (
      (state === 'COMPLETED' && o.status !== 'CONFIRMED') ||
      ((state === 'COMPENSATED' || state === 'FAILED') && o.status !== 'CANCELLED') ||
      (o.status === 'CONFIRMED' && state !== 'COMPLETED')
    );
  });
  flag(mismatched.length, "orders' status does not match their saga's outcome");
  const decliningKeys = new Set(
    world.placed.filter((p) => p.declining).map((p) => p.idempotencyKey),
  );
  const confirmed = s.orders.filter((o) => o.status === 'CONFIRMED');
  flag(
    confirmed.filter((o) => decliningKeys.has(o.key ?? '')).length,
    'orders over their customer limit were confirmed',
  );

  // Stock: what left each SKU is exactly what the confirmed orders took.
  const sagaStateOf = (id: string) => sagaById.get(id)?.state ?? 'none';
  const statusOf = new Map(s.orders.map((o) => [o.id, o.status]));
  const heldByUnconfirmed = s.holding.filter((id) => statusOf.get(id) !== 'CONFIRMED');
  const heldBy = [...countBy(heldByUnconfirmed, sagaStateOf)].map(([state, n]) => `${n} ${state}`);
  for (const sku of skus) {
    const taken = confirmed
      .flatMap((o) => o.lines)
      .filter((line) => line.sku === sku)
      .reduce((n, line) => n + line.quantity, 0);
    const before = world.stockBefore[sku] ?? { available: 0, reserved: 0 };
    const now = s.stock[sku] ?? { available: 0, reserved: 0 };
    if (before.available - now.available !== taken || now.reserved - before.reserved !== taken) {
      violations.push(
        `stock of ${sku} does not reconcile: ${before.available - now.available} left available and ` +
          `${now.reserved - before.reserved} were reserved, confirmed orders took ${taken}` +
          (heldBy.length > 0
            ? ` (orders not confirmed still holding stock, by saga state: ${heldBy.join(', ')})`
            : ''),
      );
    }
  }
  flag(
    confirmed.filter((o) => !s.holding.includes(o.id)).length,
    'confirmed orders hold no reservation',
  );

  // Payments: one authorized per confirmed order, none standing for a cancelled one.
  const paymentOf = new Map(s.payments.map((p) => [p.order_id, p.state]));
  flag(
    confirmed.filter((o) => paymentOf.get(o.id) !== 'authorized').length,
    'confirmed orders have no authorized payment',
  );
  const cancelled = s.orders.filter((o) => o.status === 'CANCELLED');
  flag(
    cancelled.filter((o) => paymentOf.get(o.id) === 'authorized').length,
    'cancelled orders still have an authorized payment',
  );
  flag(s.payments.filter((p) => !orderIds.has(p.order_id)).length, 'payments belong to no order');

  // Notifications: one per ended order, of its outcome's kind.
  const kindsOf = new Map<string, string[]>();
  for (const n of s.notifications) {
    kindsOf.set(n.order_id, [...(kindsOf.get(n.order_id) ?? []), n.kind]);
  }
  const ended = [...confirmed, ...cancelled];
  flag(
    ended.filter((o) => {
      const kinds = kindsOf.get(o.id) ?? [];
      const want = o.status === 'CONFIRMED' ? 'order-confirmed' : 'order-cancelled';
      return kinds.length !== 1 || kinds[0] !== want;
    }).length,
    'ended orders do not have exactly one notification of their outcome',
  );
  flag(
    s.notifications.filter((n) => !orderIds.has(n.order_id)).length,
    'notifications name no order',
  );

  // Transitions: no saga moved twice on one step, or at all once it ended.
  flag(
    s.transitions.filter((t) => t.from_state !== null && terminal.has(t.from_state)).length,
    'transitions moved a saga that had ended',
  );
  flag(
    [
      ...countBy(
        s.transitions.filter((t) => forwardKinds.has(t.kind)),
        (t) => `${t.saga_id}/${t.step_index}`,
      ).values(),
    ].filter((n) => n > 1).length,
    'saga steps were decided more than once',
  );
  flag(
    [
      ...countBy(
        s.transitions.filter((t) => t.kind === 'COMPENSATION_CONFIRMED'),
        (t) => `${t.saga_id}/${t.step_index}`,
      ).values(),
    ].filter((n) => n > 1).length,
    'compensations were confirmed more than once',
  );
  const versions = countBy(s.transitions, (t) => t.saga_id);
  flag(
    s.sagas.filter((saga) => versions.get(saga.id) !== saga.version).length,
    'sagas have a version that is not their number of transitions',
  );
  flag(s.parked, "events are parked in the services' consumers");

  const states = countBy(s.sagas, (saga) => saga.state);
  const reasons = countBy(cancelled, (o) => o.cancel_reason ?? '');
  return {
    checked: s.sagas.length,
    violations,
    details: {
      orders: s.orders.length,
      posts: world.placed.reduce((n, p) => n + p.answeredIds.length + p.failures.length, 0),
      postsRetried: world.placed.reduce((n, p) => n + p.failures.length, 0),
      confirmed: confirmed.length,
      cancelled: cancelled.length,
      ...Object.fromEntries([...reasons].map(([reason, n]) => [`cancelled ${reason}`, n])),
      ...Object.fromEntries([...states].map(([state, n]) => [`saga ${state}`, n])),
      reservationsHeldByUnconfirmed: heldByUnconfirmed.length,
      timedOutSteps: s.sagas.filter((saga) => saga.abort_reason === 'STEP_TIMED_OUT').length,
      refunded: s.payments.filter((p) => p.state === 'refunded').length,
      transitions: s.transitions.length,
      parked: s.parked,
    },
  };
}
