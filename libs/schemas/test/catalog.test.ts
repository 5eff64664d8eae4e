import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import type { CatalogEntry } from '../src/catalog';
import { loadCatalog, subjectFor } from '../src/catalog';
import { SchemaCatalogError, type SchemaCatalogErrorCode } from '../src/errors';

const SCHEMAS_DIR = fileURLToPath(new URL('../../../schemas', import.meta.url));

const EXPECTED_RECORDS: Array<[topic: string, fullName: string]> = [
  ['inventory.commands', 'eventline.inventory.ReleaseStock'],
  ['inventory.commands', 'eventline.inventory.ReserveStock'],
  ['inventory.events', 'eventline.inventory.StockReleased'],
  ['inventory.events', 'eventline.inventory.StockReservationFailed'],
  ['inventory.events', 'eventline.inventory.StockReserved'],
  ['orders.commands', 'eventline.orders.CancelOrder'],
  ['orders.commands', 'eventline.orders.ConfirmOrder'],
  ['orders.events', 'eventline.orders.OrderCancelled'],
  ['orders.events', 'eventline.orders.OrderConfirmed'],
  ['orders.events', 'eventline.orders.OrderPlaced'],
  ['payments.commands', 'eventline.payments.AuthorizePayment'],
  ['payments.commands', 'eventline.payments.RefundPayment'],
  ['payments.events', 'eventline.payments.PaymentAuthorized'],
  ['payments.events', 'eventline.payments.PaymentDeclined'],
  ['payments.events', 'eventline.payments.PaymentRefunded'],
];

type Json = Record<string, unknown>;

function record(name: string, fields: unknown[] = [], namespace = 'test.ns'): string {
  return JSON.stringify({ type: 'record', name, namespace, doc: name, fields });
}

const tempDirs: string[] = [];
after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A schemas folder in a temporary directory holding exactly `files` (path → text). */
async function schemasFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eventline-catalog-'));
  tempDirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

async function assertCatalogError(
  dir: string,
  expected: { code: SchemaCatalogErrorCode; file?: string; subject?: string; text: string[] },
): Promise<SchemaCatalogError> {
  let caught: unknown;
  await assert.rejects(loadCatalog(dir), (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof SchemaCatalogError, `expected a SchemaCatalogError, got ${caught}`);
  assert.equal(caught.code, expected.code);
  if (expected.file !== undefined) {
    assert.equal(caught.file, expected.file);
  }
  if (expected.subject !== undefined) {
    assert.equal(caught.subject, expected.subject);
  }
  for (const text of expected.text) {
    assert.ok(caught.message.includes(text), `"${caught.message}" should mention "${text}"`);
  }
  return caught;
}

/** Every named record and enum in a schema, nested ones included. */
function namedTypes(schema: unknown, found: Json[] = []): Json[] {
  if (Array.isArray(schema)) {
    schema.forEach((branch) => namedTypes(branch, found));
  } else if (typeof schema === 'object' && schema !== null) {
    const node = schema as Json;
    if (node.type === 'record' || node.type === 'enum') {
      found.push(node);
    }
    for (const field of node.type === 'record' ? (node.fields as Json[]) : []) {
      namedTypes(field.type, found);
    }
    namedTypes(node.items, found);
    namedTypes(node.values, found);
    if (typeof node.type === 'object') {
      namedTypes(node.type, found);
    }
  }
  return found;
}

function fieldsOf(entry: CatalogEntry): Json[] {
  return (entry.schema as { fields: Json[] }).fields;
}

describe('the repository schemas', async () => {
  const catalog = await loadCatalog(SCHEMAS_DIR);

  test('hold the fifteen order-system subjects, each on its topic, sorted by subject', () => {
    const expected = EXPECTED_RECORDS.map(([topic, fullName]) => ({
      topic,
      fullName,
      subject: `${topic}-${fullName}`,
      file: `${topic}/${fullName.slice(fullName.lastIndexOf('.') + 1)}.avsc`,
    }));
    const actual = catalog.map(({ topic, fullName, subject, file }) => ({
      topic,
      fullName,
      subject,
      file,
    }));

    assert.deepEqual(actual, expected);
  });

  test('use the default BACKWARD_TRANSITIVE mode for every subject', () => {
    for (const entry of catalog) {
      assert.equal(entry.compatibility, 'BACKWARD_TRANSITIVE', entry.subject);
    }
  });

  test('give every record, enum and field a doc', () => {
    const missing: string[] = [];
    for (const entry of catalog) {
      for (const named of namedTypes(entry.schema)) {
        if (typeof named.doc !== 'string' || named.doc.trim() === '') {
          missing.push(`${entry.file}: ${String(named.name)}`);
        }
        for (const field of named.type === 'record' ? (named.fields as Json[]) : []) {
          if (typeof field.doc !== 'string' || field.doc.trim() === '') {
            missing.push(`${entry.file}: ${String(named.name)}.${String(field.name)}`);
          }
        }
      }
    }

    assert.deepEqual(missing, []);
  });

  test('stamp every record with occurredAt as timestamp-millis and actor as a string', () => {
    for (const entry of catalog) {
      const byName = new Map(fieldsOf(entry).map((field) => [field.name, field.type]));
      assert.deepEqual(
        byName.get('occurredAt'),
        { type: 'long', logicalType: 'timestamp-millis' },
        entry.file,
      );
      assert.equal(byName.get('actor'), 'string', entry.file);
    }
  });

  test('carry sagaId on every command and reply, that is every record but OrderPlaced', () => {
    for (const entry of catalog) {
      const hasSagaId = fieldsOf(entry).some((field) => field.name === 'sagaId');
      assert.equal(hasSagaId, entry.fullName !== 'eventline.orders.OrderPlaced', entry.file);
    }
  });

  test('type every id as a uuid string and every amount as a long next to a currency', () => {
    for (const entry of catalog) {
      for (const named of namedTypes(entry.schema).filter((node) => node.type === 'record')) {
        const fields = named.fields as Json[];
        for (const field of fields) {
          const name = String(field.name);
          if (name.endsWith('Id')) {
            assert.deepEqual(field.type, { type: 'string', logicalType: 'uuid' }, name);
          }
          if (name.endsWith('Minor')) {
            assert.equal(field.type, 'long', `${entry.file}: ${name}`);
          }
        }
      }
      const amounts = fieldsOf(entry).filter((field) => String(field.name).endsWith('Minor'));
      const currency = fieldsOf(entry).find((field) => field.name === 'currency');
      if (amounts.length > 0) {
        assert.equal(currency?.type, 'string', `${entry.file} has amounts without a currency`);
      }
    }
  });

  test('give every enum a default symbol so that new symbols stay readable', () => {
    const enums = catalog.flatMap((entry) =>
      namedTypes(entry.schema).filter((node) => node.type === 'enum'),
    );

    assert.ok(enums.length >= 3, 'the three reason enums exist');
    for (const node of enums) {
      assert.ok((node.symbols as string[]).includes(node.default as string), String(node.name));
    }
  });
});

describe('loadCatalog', () => {
  test('builds subjects with the topic-record-name strategy', () => {
    assert.equal(
      subjectFor('orders.events', 'eventline.orders.OrderPlaced'),
      'orders.events-eventline.orders.OrderPlaced',
    );
  });

  test('applies per-subject modes and the configured default, sorted by subject', async () => {
    const dir = await schemasFolder({
      'b.topic/Second.avsc': record('Second'),
      'a.topic/First.avsc': record('First'),
      'a.topic/Third.avsc': record('Third'),
      'compatibility.json': JSON.stringify({
        default: 'FULL',
        subjects: { 'a.topic-test.ns.Third': 'NONE' },
      }),
    });

    const catalog = await loadCatalog(dir);

    assert.deepEqual(
      catalog.map((entry) => [entry.subject, entry.compatibility]),
      [
        ['a.topic-test.ns.First', 'FULL'],
        ['a.topic-test.ns.Third', 'NONE'],
        ['b.topic-test.ns.Second', 'FULL'],
      ],
    );
  });

  test('uses BACKWARD_TRANSITIVE when there is no compatibility.json', async () => {
    const dir = await schemasFolder({ 't/A.avsc': record('A') });

    const [entry] = await loadCatalog(dir);

    assert.equal(entry?.compatibility, 'BACKWARD_TRANSITIVE');
    assert.equal(entry?.text, record('A'));
  });

  test('takes a dotted record name as the full name', async () => {
    const dir = await schemasFolder({
      't/A.avsc': JSON.stringify({
        type: 'record',
        name: 'x.y.A',
        namespace: 'ignored',
        fields: [],
      }),
    });

    const [entry] = await loadCatalog(dir);

    assert.equal(entry?.fullName, 'x.y.A');
  });

  test('rejects a file that is not valid JSON, naming it', async () => {
    const dir = await schemasFolder({ 't/Broken.avsc': '{ "type": "record", ' });

    const error = await assertCatalogError(dir, {
      code: 'SCHEMA_NOT_JSON',
      file: 't/Broken.avsc',
      text: ['t/Broken.avsc'],
    });
    assert.ok(error.cause instanceof SyntaxError);
  });

  test('rejects a file whose top level is not a named record', async () => {
    const dir = await schemasFolder({
      't/Colour.avsc': JSON.stringify({ type: 'enum', name: 'Colour', symbols: ['RED'] }),
    });

    await assertCatalogError(dir, {
      code: 'SCHEMA_NOT_NAMED_RECORD',
      file: 't/Colour.avsc',
      text: ['t/Colour.avsc'],
    });
  });

  test('rejects a file named differently from its record', async () => {
    const dir = await schemasFolder({ 'orders.events/OrderPlaced.avsc': record('OrderCreated') });

    await assertCatalogError(dir, {
      code: 'SCHEMA_NAME_MISMATCH',
      file: 'orders.events/OrderPlaced.avsc',
      text: ['orders.events/OrderPlaced.avsc', 'OrderCreated.avsc'],
    });
  });

  test('rejects a schema avsc refuses, with the file and avsc reason', async () => {
    const dir = await schemasFolder({
      't/A.avsc': record('A', [{ name: 'count', type: 'int', default: 'many' }]),
    });

    const error = await assertCatalogError(dir, {
      code: 'SCHEMA_INVALID',
      file: 't/A.avsc',
      text: ['t/A.avsc'],
    });
    assert.ok(error.cause instanceof Error);
    assert.ok(error.message.includes(error.cause.message), 'the message carries avsc reason');
  });

  test('rejects an unknown compatibility mode for a subject, naming the subject', async () => {
    const dir = await schemasFolder({
      't/A.avsc': record('A'),
      'compatibility.json': JSON.stringify({ subjects: { 't-test.ns.A': 'SIDEWAYS' } }),
    });

    await assertCatalogError(dir, {
      code: 'COMPATIBILITY_MODE_UNKNOWN',
      subject: 't-test.ns.A',
      text: ['SIDEWAYS', 't-test.ns.A'],
    });
  });

  test('rejects an unknown default compatibility mode', async () => {
    const dir = await schemasFolder({
      't/A.avsc': record('A'),
      'compatibility.json': JSON.stringify({ default: 'backward' }),
    });

    await assertCatalogError(dir, { code: 'COMPATIBILITY_MODE_UNKNOWN', text: ['backward'] });
  });

  test('rejects a compatibility entry for a subject no schema file produces', async () => {
    const dir = await schemasFolder({
      't/A.avsc': record('A'),
      'compatibility.json': JSON.stringify({ subjects: { 't-test.ns.Gone': 'NONE' } }),
    });

    await assertCatalogError(dir, {
      code: 'COMPATIBILITY_SUBJECT_UNKNOWN',
      subject: 't-test.ns.Gone',
      text: ['t-test.ns.Gone'],
    });
  });

  test('rejects a compatibility.json with keys it does not know', async () => {
    const dir = await schemasFolder({
      't/A.avsc': record('A'),
      'compatibility.json': JSON.stringify({ defaults: 'NONE' }),
    });

    await assertCatalogError(dir, { code: 'COMPATIBILITY_CONFIG_INVALID', text: ['defaults'] });
  });

  test('rejects a schema file outside a topic folder', async () => {
    const dir = await schemasFolder({ 'A.avsc': record('A') });

    await assertCatalogError(dir, { code: 'SCHEMA_MISPLACED', file: 'A.avsc', text: ['A.avsc'] });
  });

  test('rejects a folder whose name is not a legal Kafka topic', async () => {
    const dir = await schemasFolder({ 'orders events/A.avsc': record('A') });

    await assertCatalogError(dir, { code: 'SCHEMA_MISPLACED', text: ['orders events'] });
  });

  test('reports a missing schemas folder as unreadable', async () => {
    const dir = await schemasFolder({});

    await assert.rejects(
      loadCatalog(join(dir, 'absent')),
      (error: unknown) =>
        error instanceof SchemaCatalogError && error.code === 'CATALOG_UNREADABLE',
    );
  });
});
