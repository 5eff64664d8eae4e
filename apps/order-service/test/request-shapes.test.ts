import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiSchemas, resolveApiSchema } from '../src/api-schemas';
import { canonicalHash, canonicalJson } from '../src/canonical-json';
import { decodeCursor, encodeCursor } from '../src/cursor';
import { validateJson } from '../src/json-schema';
import { parsePlaceOrder } from '../src/request-validation';

// The pure pieces under the API: the validator, canonical bodies and cursors.

test('field names with / and ~ are escaped in error paths', () => {
  const errors = validateJson(
    apiSchemas.PlaceOrderRequest,
    { customerId: '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d', items: [], currency: 'EUR', 'a/b~c': 1 },
    resolveApiSchema,
  );
  assert.deepEqual(
    errors.map((error) => error.path),
    ['/items', '/a~1b~0c'],
  );
});

test('a null field is a wrong type, not a missing one', () => {
  const errors = validateJson(
    apiSchemas.PlaceOrderRequest,
    { customerId: null, items: null, currency: null },
    resolveApiSchema,
  );
  assert.deepEqual(
    errors.map((error) => `${error.path} ${error.message}`),
    ['/customerId must be a string', '/items must be an array', '/currency must be a string'],
  );
});

test('amounts past the safe integer range are refused', () => {
  const errors = validateJson(
    apiSchemas.OrderItemRequest,
    { sku: 'A', quantity: 1, unitPrice: 2 ** 60 },
    resolveApiSchema,
  );
  assert.deepEqual(
    errors.map((error) => error.path),
    ['/unitPrice'],
  );
});

test('canonical JSON ignores key order and whitespace but not values', () => {
  assert.equal(
    canonicalJson({ b: [1, { d: 2, c: 3 }], a: 'x' }),
    '{"a":"x","b":[1,{"c":3,"d":2}]}',
  );
  assert.equal(canonicalHash({ a: 1, b: 2 }), canonicalHash({ b: 2, a: 1 }));
  assert.notEqual(canonicalHash({ a: 1 }), canonicalHash({ a: 2 }));
});

test('equal orders differing only in the case of the customer id hash the same', () => {
  const body = (customerId: string) => ({
    customerId,
    items: [{ sku: 'A', quantity: 1, unitPrice: 1 }],
    currency: 'EUR',
  });
  assert.equal(
    canonicalHash(parsePlaceOrder(body('6F1C2B9E-3D4A-4F5B-8C7D-9E0F1A2B3C4D'))),
    canonicalHash(parsePlaceOrder(body('6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d'))),
  );
});

test('a cursor round-trips and a tampered one is refused', () => {
  const cursor = {
    createdAtMicros: '1714557600123456',
    id: '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d',
  };
  const text = encodeCursor(cursor);
  assert.deepEqual(decodeCursor(text), cursor);

  const forged = Buffer.from(JSON.stringify(['1; DROP TABLE orders', cursor.id])).toString(
    'base64url',
  );
  assert.equal(decodeCursor(forged), undefined);
  assert.equal(decodeCursor('not a cursor'), undefined);
  assert.equal(decodeCursor(`${text}=`), undefined);
});
