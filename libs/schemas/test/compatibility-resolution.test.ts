/**
 * The resolution table: every row is checked by the checker, and every direction of every row
 * is also given to avsc 5.7.9 as an independent implementation of Avro schema resolution.
 * `avro.Type.forSchema(reader).createResolver(avro.Type.forSchema(writer))` throws when avsc
 * cannot read the writer's data with the reader's schema. Rows where avsc knowingly disagrees
 * with the specification say so, and that disagreement is asserted rather than skipped.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import avro from 'avsc';

import { checkCompatibility } from '../src/compatibility/modes';
import type { Direction, ResolutionCase } from './fixtures/compat/case-types';
import { NAMED_AND_UNION_CASES } from './fixtures/compat/named-and-union-cases';
import { RECORD_AND_PRIMITIVE_CASES } from './fixtures/compat/record-and-primitive-cases';

const CASES: ResolutionCase[] = [...RECORD_AND_PRIMITIVE_CASES, ...NAMED_AND_UNION_CASES];

function avscCanRead(reader: unknown, writer: unknown): boolean {
  const readerType = avro.Type.forSchema(reader as avro.Schema);
  const writerType = avro.Type.forSchema(writer as avro.Schema);
  try {
    readerType.createResolver(writerType);
    return true;
  } catch {
    return false;
  }
}

function directionsOf(mode: ResolutionCase['mode']): Direction[] {
  return mode === 'FULL' ? ['BACKWARD', 'FORWARD'] : [mode];
}

function sortedKeys(items: Array<{ direction: string; rule: string; path: string }>): string[] {
  return items.map((item) => `${item.direction} ${item.rule} ${item.path}`).sort();
}

test('the table covers at least forty cases with unique names', () => {
  assert.ok(CASES.length >= 40, `only ${CASES.length} cases`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

describe('schema resolution table', () => {
  for (const row of CASES) {
    test(row.name, () => {
      const report = checkCompatibility(row.new, [row.old], row.mode);

      assert.deepEqual(sortedKeys(report.breaks), sortedKeys(row.breaks));
      assert.equal(report.compatible, row.breaks.length === 0);
      for (const found of report.breaks) {
        assert.match(found.message, /^The new schema\b.+\.$/);
      }

      for (const direction of directionsOf(row.mode)) {
        const [reader, writer] = direction === 'BACKWARD' ? [row.new, row.old] : [row.old, row.new];
        const weCanRead = !report.breaks.some((found) => found.direction === direction);
        const theyCanRead = avscCanRead(reader, writer);
        const known = row.avscDiffers?.direction === direction ? row.avscDiffers : undefined;
        if (known === undefined) {
          assert.equal(theyCanRead, weCanRead, `avsc disagrees on ${direction}`);
        } else {
          // A documented difference (see `why` in the row): avsc gives the other verdict.
          assert.equal(theyCanRead, known.avscCanRead, `avsc no longer differs: ${known.why}`);
          assert.notEqual(weCanRead, known.avscCanRead);
        }
      }
    });
  }
});

test('avsc matches names across namespaces only when told to ignore namespaces', () => {
  const writer = avro.Type.forSchema({ type: 'record', name: 'old.ns.R', fields: [] });
  const reader = avro.Type.forSchema({ type: 'record', name: 'new.ns.R', fields: [] });

  assert.throws(() => reader.createResolver(writer));
  assert.doesNotThrow(() =>
    reader.createResolver(writer, { ignoreNamespaces: true } as Parameters<
      typeof reader.createResolver
    >[1]),
  );
});
