import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { CompatibilityMode } from '../src/catalog';
import { SchemaCompatibilityError } from '../src/errors';
import { checkCompatibility } from '../src/compatibility/modes';
import { field, record } from './fixtures/compat/case-types';

// A history where the latest version alone hides a break with the oldest one.
const v1 = record([field('a', 'string'), field('c', 'int')]);
const v2 = record([
  field('a', 'string'),
  field('b', 'int', { default: 0 }),
  field('c', 'int', { default: 0 }),
]);
const v3 = record([field('a', 'string'), field('b', 'int')]);

function summary(mode: CompatibilityMode) {
  const report = checkCompatibility(v3, [v1, v2], mode, {
    earlierLabels: ['git aaaaaaa', 'git bbbbbbb'],
  });
  return {
    checked: report.checked.map((ref) => ref.label),
    breaks: report.breaks.map((b) => `${b.direction} ${b.against.label} ${b.rule} ${b.path}`),
  };
}

test('BACKWARD checks the new schema against the latest earlier version only', () => {
  assert.deepEqual(summary('BACKWARD'), { checked: ['git bbbbbbb'], breaks: [] });
});

test('BACKWARD_TRANSITIVE also finds the break with the oldest version', () => {
  assert.deepEqual(summary('BACKWARD_TRANSITIVE'), {
    checked: ['git aaaaaaa', 'git bbbbbbb'],
    breaks: ['BACKWARD git aaaaaaa READER_FIELD_MISSING_DEFAULT R.b'],
  });
});

test('FORWARD lets the latest version read the new data, where its default covers a dropped field', () => {
  assert.deepEqual(summary('FORWARD'), { checked: ['git bbbbbbb'], breaks: [] });
});

test('FORWARD_TRANSITIVE finds that the oldest version cannot read data without its field', () => {
  assert.deepEqual(summary('FORWARD_TRANSITIVE'), {
    checked: ['git aaaaaaa', 'git bbbbbbb'],
    breaks: ['FORWARD git aaaaaaa READER_FIELD_MISSING_DEFAULT R.c'],
  });
});

test('FULL checks both directions against the latest version', () => {
  const report = checkCompatibility(v3, [v2], 'FULL');

  assert.deepEqual(report.breaks, []);
  assert.equal(report.compatible, true);
});

test('FULL_TRANSITIVE reports each direction and version a break was found in', () => {
  assert.deepEqual(summary('FULL_TRANSITIVE'), {
    checked: ['git aaaaaaa', 'git bbbbbbb'],
    breaks: [
      'BACKWARD git aaaaaaa READER_FIELD_MISSING_DEFAULT R.b',
      'FORWARD git aaaaaaa READER_FIELD_MISSING_DEFAULT R.c',
    ],
  });
});

test('NONE checks nothing, even a change that breaks every reader', () => {
  const report = checkCompatibility(
    record([field('a', 'long')]),
    [record([field('a', 'string')])],
    'NONE',
  );

  assert.deepEqual(report, { mode: 'NONE', compatible: true, checked: [], breaks: [] });
});

test('a schema without earlier versions is compatible under every mode', () => {
  const report = checkCompatibility(v3, [], 'FULL_TRANSITIVE');

  assert.equal(report.compatible, true);
  assert.deepEqual(report.checked, []);
});

test('earlier versions without labels are named by their position, oldest first', () => {
  const report = checkCompatibility(v3, [v1, v2], 'BACKWARD_TRANSITIVE');

  assert.deepEqual(report.checked, [
    { index: 0, label: 'version 1' },
    { index: 1, label: 'version 2' },
  ]);
  assert.deepEqual(report.breaks[0]?.against, { index: 0, label: 'version 1' });
});

test('a break carries the types on both sides and a message phrased for its direction', () => {
  const [backward, forward] = checkCompatibility(v3, [v1], 'FULL').breaks;

  assert.equal(backward?.direction, 'BACKWARD');
  assert.equal(backward?.member, 'b');
  assert.match(backward?.message ?? '', /adds field "b" without a default/);
  assert.equal(forward?.direction, 'FORWARD');
  assert.equal(forward?.member, 'c');
  assert.match(forward?.message ?? '', /no longer has field "c"/);
});

test('paths start with the new schema name in both directions when a record is renamed', () => {
  const renamed = record([field('a', 'string')], { name: 'Renamed', aliases: ['R'] });
  const report = checkCompatibility(renamed, [record([field('a', 'string')])], 'FULL');

  assert.deepEqual(
    report.breaks.map((b) => `${b.direction} ${b.rule} ${b.path}`),
    ['FORWARD NAME_MISMATCH Renamed'],
  );
  assert.match(report.breaks[0]?.message ?? '', /renames record R to record Renamed/);
});

test('an unknown mode is a typed error, not a verdict', () => {
  assert.throws(
    () => checkCompatibility(v3, [v1], 'SIDEWAYS' as CompatibilityMode),
    (error: unknown) => error instanceof SchemaCompatibilityError && error.code === 'MODE_UNKNOWN',
  );
});

test('an invalid earlier version in scope is a typed error naming that version and place', () => {
  const broken = record([field('a', 'Missing')]);

  assert.throws(
    () => checkCompatibility(v3, [broken], 'BACKWARD', { earlierLabels: ['git ccccccc'] }),
    (error: unknown) =>
      error instanceof SchemaCompatibilityError &&
      error.code === 'SCHEMA_INVALID' &&
      error.version === 'git ccccccc' &&
      error.location === '$.fields[0].type' &&
      error.message.startsWith('git ccccccc: $.fields[0].type:'),
  );
});
