import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { orderBody, startOrderWorld, type HttpAnswer, type OrderWorld } from './world';

// Every refused request answers application/problem+json naming what is
// wrong, and writes nothing: the orders table keeps its one row.

let world: OrderWorld;

before(async () => {
  world = await startOrderWorld();
  const placed = await world.placeOrder(orderBody());
  assert.equal(placed.status, 202, 'the world accepts a valid order');
});

after(async () => {
  await world?.stop();
});

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { in: string; path: string; message: string }[];
}

/** Asserts a problem response of `status` and `type`, and that no order was written. */
async function assertProblem(answer: HttpAnswer, status: number, type: string): Promise<Problem> {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const problem = answer.body as Problem;
  assert.equal(problem.type, `urn:eventline:problem:${type}`);
  assert.equal(problem.status, status);
  assert.ok(problem.title.length > 0);
  assert.ok(problem.detail.length > 0);
  assert.equal(await world.countOrders(), 1, 'nothing was written');
  return problem;
}

function fieldErrors(problem: Problem): Record<string, string> {
  return Object.fromEntries((problem.errors ?? []).map((error) => [error.path, error.message]));
}

const post = (body: string, headers: Record<string, string> = {}) =>
  world.request('POST', '/orders', {
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

test('malformed JSON is a 400 that says it is not JSON', async () => {
  const problem = await assertProblem(
    await post('{"customerId": "x", "items": [}'),
    400,
    'malformed-json',
  );
  assert.match(problem.detail, /JSON/);
});

test('a JSON body that is not an object is a 400 naming the body', async () => {
  const problem = await assertProblem(await post('[]'), 400, 'validation-failed');
  assert.deepEqual(fieldErrors(problem), { '/': 'must be an object' });
});

test('an empty object or an empty body is a 400 naming every required field', async () => {
  for (const body of ['{}', '']) {
    const problem = await assertProblem(await post(body), 400, 'validation-failed');
    assert.deepEqual(fieldErrors(problem), {
      '/customerId': 'is required',
      '/items': 'is required',
      '/currency': 'is required',
    });
  }
});

test('quantities of 0 and -1 are refused, each named by its path', async () => {
  const items = [
    { sku: 'A', quantity: 0, unitPrice: 100 },
    { sku: 'B', quantity: -1, unitPrice: 100 },
    { sku: 'C', quantity: 1, unitPrice: 100 },
  ];
  const problem = await assertProblem(
    await world.placeOrder(orderBody({ items })),
    400,
    'validation-failed',
  );
  assert.deepEqual(fieldErrors(problem), {
    '/items/0/quantity': 'must be at least 1',
    '/items/1/quantity': 'must be at least 1',
  });
  assert.ok(problem.errors?.every((error) => error.in === 'body'));
});

test('every bad field of one body is named at once', async () => {
  const problem = await assertProblem(
    await world.placeOrder({
      customerId: 'not-a-uuid',
      items: [
        { sku: '', quantity: 1.5, unitPrice: -1 },
        { sku: 'has space', quantity: 1001, unitPrice: '10' },
        { quantity: 1, unitPrice: 1, colour: 'red' },
      ],
      currency: 'EUR',
      note: 'extra',
    }),
    400,
    'validation-failed',
  );
  assert.deepEqual(fieldErrors(problem), {
    '/customerId': 'must be a UUID (8-4-4-4-12 hexadecimal digits)',
    '/items/0/sku': 'must not be empty',
    '/items/0/quantity': 'must be an integer',
    '/items/0/unitPrice': 'must be at least 0',
    '/items/1/sku': 'must not contain whitespace',
    '/items/1/quantity': 'must be at most 1000',
    '/items/1/unitPrice': 'must be an integer',
    '/items/2/sku': 'is required',
    '/items/2/colour': 'is not a known field',
    '/note': 'is not a known field',
  });
});

test('an unknown or lower-case currency is refused with the accepted list', async () => {
  for (const currency of ['XYZ', 'eur']) {
    const problem = await assertProblem(
      await world.placeOrder(orderBody({ currency })),
      400,
      'validation-failed',
    );
    assert.deepEqual(fieldErrors(problem), {
      '/currency': 'must be one of: EUR, USD, GBP, CHF, JPY, SEK',
    });
  }
});

test('no items, or more than 100, are refused', async () => {
  const none = await assertProblem(
    await world.placeOrder(orderBody({ items: [] })),
    400,
    'validation-failed',
  );
  assert.deepEqual(fieldErrors(none), { '/items': 'must have at least 1 item' });

  const item = { sku: 'SKU-1', quantity: 1, unitPrice: 1 };
  const many = await assertProblem(
    await world.placeOrder(orderBody({ items: Array(101).fill(item) })),
    400,
    'validation-failed',
  );
  assert.deepEqual(fieldErrors(many), { '/items': 'must have at most 100 items' });
});

test('a body over 64 KiB is a 413', async () => {
  const body = JSON.stringify(orderBody({ padding: 'x'.repeat(70 * 1024) }));
  await assertProblem(await post(body), 413, 'body-too-large');
});

test('a body that is not declared as JSON is a 415', async () => {
  const body = JSON.stringify(orderBody());
  const text = await assertProblem(
    await post(body, { 'content-type': 'text/plain' }),
    415,
    'unsupported-media-type',
  );
  assert.match(text.detail, /text\/plain/);

  const form = await post('customerId=1', {
    'content-type': 'application/x-www-form-urlencoded',
  });
  await assertProblem(form, 415, 'unsupported-media-type');

  const latin1 = await post(body, { 'content-type': 'application/json; charset=latin1' });
  await assertProblem(latin1, 415, 'unsupported-media-type');

  const missing = await world.request('POST', '/orders', { body: new Blob([body]) });
  await assertProblem(missing, 415, 'unsupported-media-type');
});

test('a malformed Idempotency-Key is a 400 naming the header', async () => {
  const problem = await assertProblem(
    await world.placeOrder(orderBody(), { 'Idempotency-Key': 'k'.repeat(256) }),
    400,
    'validation-failed',
  );
  assert.deepEqual(problem.errors, [
    {
      in: 'header',
      path: '/Idempotency-Key',
      message: 'must be 1 to 255 visible ASCII characters',
    },
  ]);
});

test('an unknown path is a 404 problem', async () => {
  const problem = await assertProblem(
    await world.request('GET', '/customers'),
    404,
    'route-not-found',
  );
  assert.match(problem.detail, /\/customers/);
  await assertProblem(await world.request('POST', '/orders/x/lines'), 404, 'route-not-found');
});

test('a known path with a method it does not serve is a 405 with Allow', async () => {
  const cases: [string, string, string][] = [
    ['DELETE', '/orders', 'GET, HEAD, POST'],
    ['PUT', `/orders/${randomUUID()}`, 'GET, HEAD'],
    ['POST', '/openapi.json', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
  ];
  for (const [method, path, allow] of cases) {
    const answer = await world.request(method, path);
    await assertProblem(answer, 405, 'method-not-allowed');
    assert.equal(answer.headers.get('allow'), allow, `${method} ${path}`);
  }

  const options = await world.request('OPTIONS', '/orders');
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('allow'), 'GET, HEAD, POST');
});

test('GET of a malformed order id is a 400, of an unknown one a 404', async () => {
  const malformed = await assertProblem(
    await world.request('GET', '/orders/12345'),
    400,
    'validation-failed',
  );
  assert.deepEqual(malformed.errors, [{ in: 'path', path: '/id', message: 'must be a UUID' }]);

  const id = randomUUID();
  const unknown = await assertProblem(
    await world.request('GET', `/orders/${id}`),
    404,
    'order-not-found',
  );
  assert.match(unknown.detail, new RegExp(id));
});

test('bad listing parameters are a 400 naming each', async () => {
  const problem = await assertProblem(
    await world.request('GET', '/orders?status=SHIPPED&limit=0&cursor=bm90LWEtY3Vyc29y'),
    400,
    'validation-failed',
  );
  assert.deepEqual(problem.errors, [
    { in: 'query', path: '/status', message: 'must be one of: PENDING, CONFIRMED, CANCELLED' },
    { in: 'query', path: '/limit', message: 'must be an integer from 1 to 100' },
    { in: 'query', path: '/cursor', message: 'is not a cursor this API returned' },
  ]);

  for (const limit of ['101', '1.5', 'ten', '-1']) {
    const answer = await world.request('GET', `/orders?limit=${limit}`);
    await assertProblem(answer, 400, 'validation-failed');
  }
});
