/**
 * Generates TypeScript types from the Avro schemas into one file, libs/schemas/src/generated/
 * records.ts: an interface per record, a union of literals per enum, and maps from full name to
 * type, topic and subject.
 *
 * One file rather than one per topic: the .avsc files stand alone, so a nested type used by two
 * records (an enum of reasons) is written out in each; one file declares it once, and TypeScript
 * needs every name to be unique across the system anyway once the types are re-exported together.
 *
 * Usage: node --import tsx scripts/schemas/generate-types.ts [--check] [--schemas dir] [--out dir]
 * Exit codes: 0 done or up to date, 1 --check found stale or missing files, 2 generation failed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import * as prettier from 'prettier';

import { loadCatalog } from '../../libs/schemas/src/catalog';

import { renderTypes } from './render-types';

export { renderTypes };

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const GENERATED_FILE = 'records.ts';

export interface GenerateTypesOptions {
  /** The folder holding <topic>/<Record>.avsc and compatibility.json. */
  schemasDir: string;
  /** The folder the generated file goes to. */
  outDir: string;
  /** The Prettier config to format with; the repository's by default. */
  prettierConfigFile?: string;
}

export interface GeneratedFile {
  path: string;
  text: string;
}

export interface StaleFile {
  path: string;
  problem: 'missing' | 'stale';
}

export const defaultOptions: GenerateTypesOptions = {
  schemasDir: join(REPO_ROOT, 'schemas'),
  outDir: join(REPO_ROOT, 'libs/schemas/src/generated'),
};

/** Loads the catalog and returns the formatted files the generator would write. */
export async function generateTypes(options: GenerateTypesOptions): Promise<GeneratedFile[]> {
  const entries = await loadCatalog(options.schemasDir);
  const path = join(options.outDir, GENERATED_FILE);
  const config = await prettier.resolveConfig(path, {
    config: options.prettierConfigFile ?? join(REPO_ROOT, '.prettierrc.json'),
  });
  const text = await prettier.format(renderTypes(entries), {
    ...config,
    parser: 'typescript',
    filepath: path,
  });
  return [{ path, text }];
}

/** Writes the generated files, leaving unchanged ones untouched; returns the paths written. */
export async function writeTypes(options: GenerateTypesOptions): Promise<string[]> {
  const written: string[] = [];
  await mkdir(options.outDir, { recursive: true });
  for (const file of await generateTypes(options)) {
    if ((await readIfExists(file.path)) === file.text) {
      continue;
    }
    await writeFile(file.path, file.text);
    written.push(file.path);
  }
  return written;
}

/** Regenerates in memory and lists the committed files that are missing or differ. */
export async function checkTypes(options: GenerateTypesOptions): Promise<StaleFile[]> {
  const stale: StaleFile[] = [];
  for (const file of await generateTypes(options)) {
    const committed = await readIfExists(file.path);
    if (committed === undefined) {
      stale.push({ path: file.path, problem: 'missing' });
    } else if (committed !== file.text) {
      stale.push({ path: file.path, problem: 'stale' });
    }
  }
  return stale;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      check: { type: 'boolean', default: false },
      schemas: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const options: GenerateTypesOptions = {
    schemasDir: values.schemas === undefined ? defaultOptions.schemasDir : resolve(values.schemas),
    outDir: values.out === undefined ? defaultOptions.outDir : resolve(values.out),
  };
  const shown = (path: string) => relative(process.cwd(), path);

  if (!values.check) {
    const written = await writeTypes(options);
    for (const path of written) {
      console.log(`wrote ${shown(path)}`);
    }
    if (written.length === 0) {
      console.log('generated types are up to date');
    }
    return 0;
  }

  const stale = await checkTypes(options);
  for (const file of stale) {
    console.error(`${file.problem}: ${shown(file.path)}`);
  }
  if (stale.length > 0) {
    console.error('Regenerate with: node --import tsx scripts/schemas/generate-types.ts');
    return 1;
  }
  console.log('generated types are up to date');
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      if (error instanceof Error && error.cause instanceof Error) {
        console.error(`  caused by: ${error.cause.message}`);
      }
      process.exitCode = 2;
    },
  );
}
