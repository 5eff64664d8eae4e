import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import { orderBody, startOrderWorld, type OrderWorld } from './world';

// The endpoints around the orders: the OpenAPI document, health and
// readiness, and an order read while the saga service is not running.

let world: OrderWorld;

/** A port nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  world = await startOrderWorld({ sagaStatusUrl: `http://127.0.0.1:${await closedPort()}` });
});

after(async () => {
  await world?.stop();
});

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

test('/openapi.json is an OpenAPI 3.1 document listing the routes', async () => {
  const answer = await world.request('GET', '/openapi.json');

  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  const doc = answer.body as OpenApi;
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/healthz',
    '/metrics',
    '/openapi.json',
    '/orders',
    '/orders/{id}',
    '/readyz',
  ]);
  assert.deepEqual(Object.keys(doc.paths['/orders'] ?? {}).sort(), ['get', 'post']);
  const post = doc.paths['/orders']?.post;
  assert.deepEqual(Object.keys(post?.responses ?? {}).sort(), [
    '202',
    '400',
    '405',
    '413',
    '415',
    '422',
  ]);
  const unitPrice = doc.components.schemas.OrderItemRequest?.properties?.unitPrice as {
    type: string;
    description: string;
  };
  assert.equal(unitPrice.type, 'integer');
  assert.match(unitPrice.description, /minor units/);
  assert.ok(doc.components.schemas.Problem, 'problem responses are described');
});

test('every documented operation is served, none answers 404 or 405 for its route', async () => {
  const doc = (await world.request('GET', '/openapi.json')).body as OpenApi;

  for (const [template, operations] of Object.entries(doc.paths)) {
    const path = template.replace('{id}', randomUUID());
    for (const method of Object.keys(operations)) {
      const init =
        method === 'post'
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(orderBody()) }
          : {};
      const answer = await world.request(method.toUpperCase(), path, init);
      const type = (answer.body as { type?: string }).type;
      assert.notEqual(type, 'urn:eventline:problem:route-not-found', `${method} ${template}`);
      assert.notEqual(answer.status, 405, `${method} ${template}`);
      assert.ok(answer.status < 500, `${method} ${template} answered ${answer.status}`);
    }
  }
});

test('health and readiness answer', async () => {
  const health = await world.request('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal((health.body as { service: string }).service, 'order-service');

  const ready = await world.request('GET', '/readyz');
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.deepEqual((ready.body as { checks: unknown }).checks, { database: 'ok', kafka: 'ok' });
});

test('an order reads back with null progress while the saga service is down', async () => {
  const placed = await world.placeOrder(orderBody());
  const id = (placed.body as { id: string }).id;

  const answer = await world.request('GET', `/orders/${id}`);

  assert.equal(answer.status, 200);
  assert.equal((answer.body as { id: string }).id, id);
  assert.equal((answer.body as { progress: unknown }).progress, null);
});
