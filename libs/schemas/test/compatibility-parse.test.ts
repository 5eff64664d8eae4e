import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { loadCatalog } from '../src/catalog';
import { SchemaCompatibilityError } from '../src/errors';
import type { AvroRecord, AvroUnion } from '../src/compatibility/model';
import { checkCompatibility } from '../src/compatibility/modes';
import { parseSchema } from '../src/compatibility/parse';
import { field, record } from './fixtures/compat/case-types';

const SCHEMAS_DIR = fileURLToPath(new URL('../../../schemas', import.meta.url));

function assertInvalid(schema: unknown, location: string, text: RegExp): void {
  assert.throws(
    () => parseSchema(schema),
    (error: unknown) =>
      error instanceof SchemaCompatibilityError &&
      error.code === 'SCHEMA_INVALID' &&
      error.location === location &&
      text.test(error.message),
  );
}

test('a nested named type is found again by its short name within its namespace', () => {
  const parsed = parseSchema(
    record([
      field('home', { type: 'record', name: 'Address', fields: [field('street', 'string')] }),
      field('work', 'Address'),
      field('other', 'test.Address'),
    ]),
  ) as AvroRecord;

  const [home, work, other] = parsed.fields.map((f) => f.type);
  assert.equal(home?.kind === 'record' && home.fullName, 'test.Address');
  assert.equal(work, home);
  assert.equal(other, home);
});

test('a nested type with its own namespace keeps it, and aliases are qualified by it', () => {
  const parsed = parseSchema(
    record([
      field('status', {
        type: 'enum',
        name: 'Status',
        namespace: 'other',
        aliases: ['State', 'elsewhere.Old'],
        symbols: ['A'],
      }),
    ]),
  ) as AvroRecord;

  const status = parsed.fields[0]?.type;
  assert.equal(status?.kind, 'enum');
  assert.deepEqual(status?.kind === 'enum' && [status.fullName, status.aliases], [
    'other.Status',
    ['other.State', 'elsewhere.Old'],
  ]);
});

test('a recursive record refers to itself, not to a copy', () => {
  const parsed = parseSchema({
    type: 'record',
    name: 'LongList',
    fields: [field('value', 'long'), field('next', ['null', 'LongList'])],
  }) as AvroRecord;

  const next = parsed.fields[1]?.type as AvroUnion;
  assert.equal(next.branches[1], parsed);
});

test('a reference to a type not defined before is invalid, with its location', () => {
  assertInvalid(record([field('a', 'string'), field('b', 'Money')]), '$.fields[1].type', /"Money"/);
});

test('a full name defined twice is invalid', () => {
  const money = { type: 'fixed', name: 'Money', size: 8 };
  assertInvalid(
    record([field('a', money), field('b', money)]),
    '$.fields[1].type',
    /defined twice/,
  );
});

test('a default that does not fit its field type is invalid', () => {
  assertInvalid(record([field('a', 'int', { default: 'zero' })]), '$.fields[0].default', /"a"/);
  assertInvalid(record([field('a', 'int', { default: 2 ** 31 })]), '$.fields[0].default', /"a"/);
});

test('a union default may match any branch, as Avro 1.12 allows', () => {
  assert.doesNotThrow(() =>
    parseSchema(record([field('a', ['null', 'string'], { default: 'x' })])),
  );
  assertInvalid(
    record([field('a', ['null', 'string'], { default: 1 })]),
    '$.fields[0].default',
    /"a"/,
  );
});

test('an enum default must be one of its symbols', () => {
  assertInvalid(
    record([field('a', { type: 'enum', name: 'E', symbols: ['A'], default: 'B' })]),
    '$.fields[0].type',
    /default/,
  );
});

test('unions may not nest, nor repeat an unnamed type', () => {
  assertInvalid(['null', ['int', 'string']], '$[1]', /another union/);
  assertInvalid(['string', { type: 'string' }], '$[1]', /already has a string branch/);
});

test('a decimal with scale above precision is ignored, as the specification says', () => {
  const parsed = parseSchema({ type: 'bytes', logicalType: 'decimal', precision: 2, scale: 3 });

  assert.deepEqual(parsed, { kind: 'primitive', name: 'bytes', logicalType: 'decimal' });
});

test('a decimal on a fixed too small for its precision is ignored', () => {
  // Four bytes hold any 9-digit number, not every 10-digit one.
  const fits = parseSchema({
    type: 'fixed',
    name: 'D',
    size: 4,
    logicalType: 'decimal',
    precision: 9,
  });
  const tooBig = parseSchema({
    type: 'fixed',
    name: 'D',
    size: 4,
    logicalType: 'decimal',
    precision: 10,
  });

  assert.deepEqual(fits.kind === 'fixed' && fits.decimal, { precision: 9, scale: 0 });
  assert.equal(tooBig.kind === 'fixed' && tooBig.decimal, undefined);
});

test('every schema of the repository parses and is fully compatible with itself', async () => {
  const entries = await loadCatalog(SCHEMAS_DIR);
  assert.ok(entries.length > 0);

  for (const entry of entries) {
    const report = checkCompatibility(entry.schema, [entry.schema], 'FULL_TRANSITIVE');
    assert.deepEqual(report.breaks, [], entry.file);
  }
});
