import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  checkTypes,
  defaultOptions,
  GENERATED_FILE,
  generateTypes,
  writeTypes,
} from '../../../scripts/schemas/generate-types';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCRIPT = join(REPO_ROOT, 'scripts/schemas/generate-types.ts');

// One record that exercises every mapping the generator knows.
const EVERYTHING = {
  type: 'record',
  name: 'Everything',
  namespace: 'test.kitchen',
  doc: 'Every Avro type once.',
  fields: [
    { name: 'nothing', type: 'null', doc: 'A null.' },
    { name: 'flag', type: 'boolean', doc: 'A boolean.' },
    { name: 'small', type: 'int', doc: 'An int.' },
    { name: 'big', type: 'long', doc: 'A long.' },
    { name: 'ratio', type: 'float', doc: 'A float.' },
    { name: 'precise', type: 'double', doc: 'A double.' },
    { name: 'label', type: { type: 'string' }, doc: 'A string in object form.' },
    { name: 'blob', type: 'bytes', doc: 'Bytes.' },
    { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 }, doc: 'A fixed.' },
    {
      name: 'colour',
      type: { type: 'enum', name: 'Colour', doc: 'A colour.', symbols: ['RED', 'GREEN'] },
      doc: 'An enum.',
    },
    { name: 'otherColour', type: 'Colour', doc: 'A reference to a named type.' },
    { name: 'tags', type: { type: 'array', items: 'string' }, doc: 'An array.' },
    { name: 'counts', type: { type: 'map', values: 'long' }, doc: 'A map.' },
    { name: 'maybe', type: ['null', 'string'], doc: 'A nullable string.' },
    { name: 'either', type: ['int', 'string'], doc: 'A union without null.' },
    {
      name: 'holes',
      type: { type: 'array', items: ['null', 'int'] },
      doc: 'An array of a union.',
    },
    {
      name: 'at',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'A timestamp in milliseconds.',
    },
    {
      name: 'atMicros',
      type: { type: 'long', logicalType: 'timestamp-micros' },
      doc: 'A timestamp in microseconds.',
    },
    { name: 'day', type: { type: 'int', logicalType: 'date' }, doc: 'A date.' },
    { name: 'id', type: { type: 'string', logicalType: 'uuid' }, doc: 'A uuid.' },
    {
      name: 'child',
      type: {
        type: 'record',
        name: 'Child',
        doc: 'A nested record.',
        fields: [{ name: 'value', type: 'int', doc: 'The value.' }],
      },
      doc: 'A nested record.',
    },
    {
      name: 'note',
      type: 'string',
      doc: 'A doc long enough to be wrapped over more than one line, because a generated line should stay within the hundred columns.',
    },
  ],
};

const tempDirs: string[] = [];
after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary folder with `files` (path → JSON value) under schemas/ and an empty out/. */
async function workspace(
  files: Record<string, unknown>,
): Promise<{ schemasDir: string; outDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'eventline-types-'));
  tempDirs.push(root);
  const schemasDir = join(root, 'schemas');
  await mkdir(schemasDir);
  for (const [path, value] of Object.entries(files)) {
    await mkdir(dirname(join(schemasDir, path)), { recursive: true });
    await writeFile(join(schemasDir, path), JSON.stringify(value, null, 2));
  }
  return { schemasDir, outDir: join(root, 'out') };
}

async function generatedText(options: { schemasDir: string; outDir: string }): Promise<string> {
  const [file] = await generateTypes(options);
  assert.ok(file !== undefined);
  return file.text;
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
}

describe('generate-types', () => {
  test('the committed generated types match the schemas', async () => {
    assert.deepEqual(await checkTypes(defaultOptions), []);
  });

  test('maps every Avro type to its TypeScript type', async () => {
    const text = await generatedText(
      await workspace({ 'kitchen.sink/Everything.avsc': EVERYTHING }),
    );

    const expectedLines = [
      '/** Every Avro type once. */',
      'export interface Everything {',
      '  nothing: null;',
      '  flag: boolean;',
      '  small: number;',
      '  big: number;',
      '  ratio: number;',
      '  precise: number;',
      '  label: string;',
      '  blob: Buffer;',
      '  hash: Buffer;',
      '  colour: Colour;',
      '  otherColour: Colour;',
      '  tags: string[];',
      '  counts: Record<string, number>;',
      '  maybe: string | null;',
      '  either: number | string;',
      '  holes: (number | null)[];',
      '  at: Date;',
      '  atMicros: Date;',
      '  day: Date;',
      '  id: string;',
      '  child: Child;',
      '  /** A nullable string. */',
      "export type Colour = 'RED' | 'GREEN';",
      '/** A nested record. */',
      'export interface Child {',
      '  value: number;',
      "  'test.kitchen.Everything': Everything;",
      "  'kitchen.sink': Everything;",
      "  'test.kitchen.Everything': 'kitchen.sink-test.kitchen.Everything',",
      "    topic: 'kitchen.sink',",
      "    fullName: 'test.kitchen.Everything',",
      "    subject: 'kitchen.sink-test.kitchen.Everything',",
    ];
    const lines = text.split('\n');
    for (const line of expectedLines) {
      assert.ok(lines.includes(line), `missing line: ${line}`);
    }
    assert.match(text, /^\/\/ Generated by scripts\/schemas\/generate-types\.ts/);
    assert.ok(!text.includes('interface Hash'), 'a fixed is a Buffer, not a declared type');
    for (const line of lines) {
      assert.ok(line.length <= 100, `line over 100 columns: ${line}`);
    }
  });

  test('formats its output the way prettier --check expects', async () => {
    const options = await workspace({ 'kitchen.sink/Everything.avsc': EVERYTHING });
    await writeTypes(options);

    const result = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs'),
        // The temporary folder is outside the repository, so name the config it would find there.
        '--config',
        join(REPO_ROOT, '.prettierrc.json'),
        '--check',
        options.outDir,
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );

    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  test('declares a nested type repeated identically in two files once', async () => {
    const reason = { type: 'enum', name: 'Reason', doc: 'Why.', symbols: ['UNKNOWN'] };
    const withReason = (name: string) => ({
      type: 'record',
      name,
      namespace: 'test.shared',
      doc: name,
      fields: [{ name: 'reason', type: reason, doc: 'Why.' }],
    });
    const options = await workspace({
      't.one/First.avsc': withReason('First'),
      't.two/Second.avsc': withReason('Second'),
    });

    const text = await generatedText(options);

    assert.equal(text.split("export type Reason = 'UNKNOWN';").length - 1, 1);
  });

  test('refuses two different definitions under one full name, naming the file', async () => {
    const withReason = (name: string, symbols: string[]) => ({
      type: 'record',
      name,
      namespace: 'test.shared',
      doc: name,
      fields: [{ name: 'reason', type: { type: 'enum', name: 'Reason', symbols }, doc: 'Why.' }],
    });
    const options = await workspace({
      't.one/First.avsc': withReason('First', ['UNKNOWN']),
      't.two/Second.avsc': withReason('Second', ['UNKNOWN', 'OTHER']),
    });

    await assert.rejects(generateTypes(options), /t\.two\/Second\.avsc.*test\.shared\.Reason/);
  });

  test('refuses a record whose name would shadow a global type', async () => {
    const options = await workspace({
      't/Date.avsc': { type: 'record', name: 'Date', namespace: 'x', fields: [] },
    });

    await assert.rejects(generateTypes(options), /t\/Date\.avsc.*reserved/);
  });

  test('--check reports a missing file, then nothing, then the stale file after a schema change', async () => {
    const schema = {
      type: 'record',
      name: 'Thing',
      namespace: 'test.check',
      doc: 'A thing.',
      fields: [],
    };
    const options = await workspace({ 't/Thing.avsc': schema });
    const generated = join(options.outDir, GENERATED_FILE);
    const cliArgs = ['--check', '--schemas', options.schemasDir, '--out', options.outDir];

    const missing = runCli(cliArgs);
    assert.equal(missing.status, 1, missing.stderr);
    assert.ok(missing.stderr.includes('missing:'), missing.stderr);
    assert.ok(missing.stderr.includes(GENERATED_FILE), missing.stderr);

    const written = runCli(['--schemas', options.schemasDir, '--out', options.outDir]);
    assert.equal(written.status, 0, written.stderr);
    assert.ok((await readFile(generated, 'utf8')).includes('export interface Thing {}'));
    assert.equal(runCli(cliArgs).status, 0);

    const changed = {
      ...schema,
      fields: [{ name: 'size', type: 'int', default: 0, doc: 'How big.' }],
    };
    await writeFile(join(options.schemasDir, 't/Thing.avsc'), JSON.stringify(changed));
    assert.deepEqual(await checkTypes(options), [{ path: generated, problem: 'stale' }]);
    const stale = runCli(cliArgs);
    assert.equal(stale.status, 1, stale.stderr);
    assert.match(stale.stderr, /stale: .*records\.ts/);
  });

  test('exits 2 with the catalog error when a schema cannot be loaded', async () => {
    const options = await workspace({
      't/Thing.avsc': { type: 'record', name: 'Other', fields: [] },
    });

    const result = runCli(['--check', '--schemas', options.schemasDir, '--out', options.outDir]);

    assert.equal(result.status, 2, result.stderr);
    assert.ok(result.stderr.includes('t/Thing.avsc'), result.stderr);
  });
});
