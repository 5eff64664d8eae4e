import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

import { stackEndpoints, uniqueName } from '../src/index';

// The registry (Apicurio's Confluent-compatible API here, Confluent's in
// docker-compose) answers every call the platform makes.

const url = stackEndpoints().registryUrl;
const subject = `${uniqueName('t_registry')}.events-eventline.test.Thing`;
const v1 = {
  type: 'record',
  name: 'Thing',
  namespace: 'eventline.test',
  fields: [{ name: 'id', type: 'string' }],
};
const v2 = {
  ...v1,
  fields: [...v1.fields, { name: 'size', type: 'int', default: 0 }],
};
const breaking = {
  ...v1,
  fields: [...v1.fields, { name: 'colour', type: 'string' }],
};

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test('schemas register, resolve by id and latest version, and reject a breaking change', async () => {
  const registry = new SchemaRegistry({ host: url });
  const schema = (value: object) => ({
    type: SchemaType.AVRO as const,
    schema: JSON.stringify(value),
  });

  const first = await registry.register(schema(v1), { subject });
  const again = await registry.register(schema(v1), { subject });
  assert.equal(again.id, first.id, 'registering the same schema twice returns the same id');

  const second = await registry.register(schema(v2), { subject });
  assert.notEqual(second.id, first.id);
  assert.equal(await registry.getLatestSchemaId(subject), second.id);
  assert.equal(await registry.getRegistryIdBySchema(subject, schema(v1)), first.id);

  const fetched = (await registry.getSchema(first.id)) as { name?: string };
  assert.equal(fetched.name, 'eventline.test.Thing');

  // The wire format round-trips through the registry's id.
  const encoded = await registry.encode(second.id, { id: 'a', size: 3 });
  assert.equal(encoded[0], 0, 'magic byte');
  assert.equal(encoded.readInt32BE(1), second.id);
  assert.deepEqual({ ...(await registry.decode(encoded)) }, { id: 'a', size: 3 });

  await assert.rejects(registry.register(schema(breaking), { subject }));
});

test('the compatibility endpoint and the subject config answer', async () => {
  const registry = new SchemaRegistry({ host: url });
  const configSubject = `${uniqueName('t_registry')}.events-eventline.test.Other`;
  await registry.register(
    { type: SchemaType.AVRO as const, schema: JSON.stringify({ ...v1, name: 'Other' }) },
    { subject: configSubject },
  );

  const put = await call('PUT', `/config/${encodeURIComponent(configSubject)}`, {
    compatibility: 'FULL_TRANSITIVE',
  });
  assert.equal(put.status, 200);
  const config = (await (
    await call('GET', `/config/${encodeURIComponent(configSubject)}`)
  ).json()) as {
    compatibilityLevel: string;
  };
  assert.equal(config.compatibilityLevel, 'FULL_TRANSITIVE');

  const check = async (candidate: object) => {
    const response = await call(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(configSubject)}/versions/latest`,
      { schema: JSON.stringify({ ...candidate, name: 'Other' }) },
    );
    assert.equal(response.status, 200);
    return ((await response.json()) as { is_compatible: boolean }).is_compatible;
  };
  assert.equal(await check(v2), true, 'a field with a default is compatible');
  assert.equal(await check(breaking), false, 'a field without a default is not');

  const versions = (await (
    await call('GET', `/subjects/${encodeURIComponent(configSubject)}/versions`)
  ).json()) as number[];
  assert.deepEqual(versions, [1]);
});
