import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';

import { stackEndpoints, testCatalog, uniqueName } from '@eventline/testkit';

import {
  avroType,
  createCodec,
  createRegistryClient,
  registerCatalog,
  SchemaError,
  type CatalogEntry,
  type StockReserved,
} from '../src/index';
import { frame } from '../src/wire-format';

// The codec against the real registry: round trips, and every way a payload
// can be bad ends in a typed error, never a crash.

const registry = createRegistryClient({ url: stackEndpoints().registryUrl });
const codec = createCodec(registry);

describe('the Avro codec', () => {
  let entry: CatalogEntry;
  let schemaId: number;

  before(async () => {
    const catalog = await testCatalog(uniqueName('t_codec'));
    entry = catalog.find((e) => e.fullName === 'eventline.inventory.StockReserved') as CatalogEntry;
    await registerCatalog(registry, [entry]);
    schemaId = (await registry.lookup(entry.subject, entry.schema))?.id ?? -1;
  });

  const value: StockReserved = {
    sagaId: randomUUID(),
    orderId: randomUUID(),
    occurredAt: new Date('2026-01-02T03:04:05.678Z'),
    actor: 'system:inventory',
  };

  function codeOf(expected: string) {
    return (error: unknown) => error instanceof SchemaError && error.code === expected;
  }

  test('a value round-trips through the wire format with its Date intact', async () => {
    const type = avroType(entry.schema);
    const bytes = codec.encode(schemaId, type, value);

    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), schemaId);
    const decoded = await codec.decode(bytes);
    assert.equal(decoded.fullName, 'eventline.inventory.StockReserved');
    assert.deepEqual({ ...(decoded.value as object) }, value);
    assert.ok((decoded.value as StockReserved).occurredAt instanceof Date);
  });

  test('a payload without the magic byte is NOT_FRAMED', async () => {
    await assert.rejects(codec.decode(Buffer.from([1, 0, 0, 0, 1, 2, 3])), codeOf('NOT_FRAMED'));
    await assert.rejects(codec.decode(Buffer.from([0, 0])), codeOf('NOT_FRAMED'));
  });

  test('a payload naming an id the registry lacks is UNKNOWN_SCHEMA_ID', async () => {
    await assert.rejects(
      codec.decode(frame(987_654_321, Buffer.from([2, 0]))),
      codeOf('UNKNOWN_SCHEMA_ID'),
    );
  });

  test('a body that does not decode with its writer schema is UNDECODABLE', async () => {
    await assert.rejects(codec.decode(frame(schemaId, Buffer.from([0xff]))), codeOf('UNDECODABLE'));
  });
});

describe('the Avro codec with reader schemas', () => {
  test('two consumers with their own reader types share one codec without mixing resolvers', async () => {
    const catalog = await testCatalog(uniqueName('t_codec_readers'));
    const entry = catalog.find((e) => e.fullName === 'eventline.inventory.StockReserved');
    assert.ok(entry);
    await registerCatalog(registry, [entry]);
    const id = (await registry.lookup(entry.subject, entry.schema))?.id ?? -1;
    const shared = createCodec(registry);
    const value = {
      sagaId: randomUUID(),
      orderId: randomUUID(),
      occurredAt: new Date(),
      actor: 'system:test',
    };
    const bytes = shared.encode(id, avroType(entry.schema), value);

    for (const reader of [avroType(entry.schema), avroType(entry.schema)]) {
      const decoded = await shared.decode(bytes, new Map([[entry.fullName, reader]]));
      assert.deepEqual({ ...(decoded.value as object) }, value);
    }
  });
});
