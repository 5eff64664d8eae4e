/**
 * The CI check behind `make schemas-check`: every schema in the schemas folder is checked
 * against its earlier versions under its subject's compatibility mode (schemas/compatibility.json).
 *
 * Earlier versions come from git: the distinct contents the file had in the history of --base
 * (HEAD by default), except content identical to the working tree. So on a branch, the working
 * tree is checked against what was committed before, and once a breaking change is committed
 * it is still checked against the versions before it. With --registry, the versions registered
 * under the subject are checked as well.
 *
 * Exit codes: 0 all compatible, 1 a break was found, 2 usage or environment error.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

import type { CatalogEntry } from '../../libs/schemas/src/catalog';
import { loadCatalog } from '../../libs/schemas/src/catalog';
import { SchemaCatalogError, SchemaCompatibilityError } from '../../libs/schemas/src/errors';
import { canonicalJson } from '../../libs/schemas/src/json';
import {
  gitTopLevel,
  isShallowRepository,
  readGitVersions,
} from '../../libs/schemas/src/compatibility/git-history';
import { checkCompatibility } from '../../libs/schemas/src/compatibility/modes';
import { parseSchema } from '../../libs/schemas/src/compatibility/parse';
import { readRegisteredVersions } from '../../libs/schemas/src/compatibility/registry-versions';
import type {
  CatalogCheck,
  SubjectCheck,
} from '../../libs/schemas/src/compatibility/report-format';
import { formatText, toJsonReport } from '../../libs/schemas/src/compatibility/report-format';

const USAGE = `Usage: node --import tsx scripts/schemas/check.ts [options]

Checks every schema under the schemas folder against its earlier versions, by the
compatibility mode of its subject (schemas/compatibility.json).

Options:
  --schemas-dir <dir>  the schemas folder (default: <repo>/schemas)
  --repo <dir>         the git working tree (default: the one holding the schemas
                       folder, or the current directory)
  --base <ref>         read earlier versions from the history of <ref> (default: HEAD)
  --registry <url>     also check against the versions registered there, e.g.
                       http://127.0.0.1:8081/apis/ccompat/v7
  --json               print a machine-readable report instead of text
  -h, --help           print this help

Exit status: 0 all compatible, 1 a break was found, 2 usage or environment error.`;

const WORKING_TREE = 'working tree';

interface CheckArgs {
  schemasDir: string;
  repoDir: string;
  /** Where the schemas folder is inside the repository, with forward slashes. */
  schemasPath: string;
  base: string;
  registry: string | undefined;
  json: boolean;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let args: CheckArgs | 'help';
  try {
    args = await readArgs(argv);
  } catch (error) {
    return fail(error);
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }

  try {
    const result = await checkCatalog(args);
    if (args.json) {
      console.log(JSON.stringify(toJsonReport(result), null, 2));
    } else {
      for (const warning of result.warnings) {
        console.error(`warning: ${warning}`);
      }
      console.log(formatText(result).join('\n'));
    }
    return result.subjects.some((s) => s.breaks.length > 0) ? 1 : 0;
  } catch (error) {
    return fail(error);
  }
}

async function readArgs(argv: string[]): Promise<CheckArgs | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'schemas-dir': { type: 'string' },
        repo: { type: 'string' },
        base: { type: 'string' },
        registry: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    return 'help';
  }
  if (values.registry !== undefined && !/^https?:\/\//.test(values.registry)) {
    throw new UsageError(`--registry must be an http(s) URL, got "${values.registry}"`);
  }

  const schemasDirArg = values['schemas-dir'];
  const repoDir = await gitTopLevel(
    resolve(values.repo ?? (schemasDirArg === undefined ? '.' : schemasDirArg)),
  );
  const schemasDir = resolve(schemasDirArg ?? join(repoDir, 'schemas'));
  const inside = relative(await realpath(repoDir), await realpathOrSelf(schemasDir));
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new UsageError(
      `the schemas folder ${schemasDir} is not inside the repository ${repoDir}`,
    );
  }

  return {
    schemasDir,
    repoDir,
    schemasPath: inside.split(sep).join('/'),
    base: values.base ?? 'HEAD',
    registry: values.registry,
    json: values.json,
  };
}

async function checkCatalog(args: CheckArgs): Promise<CatalogCheck> {
  const entries = await loadCatalog(args.schemasDir);
  const warnings: string[] = [];
  if (await isShallowRepository(args.repoDir)) {
    warnings.push(
      'the repository is a shallow clone, so versions older than its fetched history are not checked; fetch the full history (git fetch --unshallow, or fetch-depth: 0 in CI)',
    );
  }
  const subjects: SubjectCheck[] = [];
  for (const entry of entries) {
    const check: SubjectCheck = {
      subject: entry.subject,
      file: entry.file,
      mode: entry.compatibility,
      newLabel: WORKING_TREE,
      checked: [],
      breaks: [],
    };
    subjects.push(check);
    if (entry.compatibility === 'NONE') {
      continue;
    }

    const histories = [await gitHistory(entry, args, warnings)];
    if (args.registry !== undefined) {
      histories.push(await registryHistory(entry, args.registry, warnings));
    }
    // Git and the registry are separate histories: in the non-transitive modes each one's
    // latest version is checked, not only whichever source happens to be listed last.
    for (const history of histories) {
      const report = checkCompatibility(
        entry.schema,
        history.map((version) => version.schema),
        entry.compatibility,
        { earlierLabels: history.map((version) => version.label), newLabel: WORKING_TREE },
      );
      check.checked.push(...report.checked.map((ref) => ref.label));
      check.breaks.push(...report.breaks);
    }
  }

  return { subjects, warnings };
}

interface EarlierVersion {
  label: string;
  schema: unknown;
}

async function gitHistory(
  entry: CatalogEntry,
  args: CheckArgs,
  warnings: string[],
): Promise<EarlierVersion[]> {
  const path = args.schemasPath === '' ? entry.file : `${args.schemasPath}/${entry.file}`;
  const versions = await readGitVersions({ repoDir: args.repoDir, path, base: args.base });
  const usable: EarlierVersion[] = [];
  for (const version of versions) {
    if (version.text === entry.text) {
      continue;
    }
    const label = `git ${version.commit.slice(0, 7)}`;
    const schema = usableSchema(() => JSON.parse(version.text) as unknown, label, path, warnings);
    if (schema !== undefined) {
      usable.push({ label, schema });
    }
  }

  return usable;
}

async function registryHistory(
  entry: CatalogEntry,
  registryUrl: string,
  warnings: string[],
): Promise<EarlierVersion[]> {
  const versions = await readRegisteredVersions(registryUrl, entry.subject);
  const current = canonicalJson(entry.schema);
  const usable: EarlierVersion[] = [];
  for (const version of versions) {
    // The version the working tree already is needs no check, as with git.
    if (canonicalJson(version.schema) === current) {
      continue;
    }
    const label = `registry v${version.version}`;
    const schema = usableSchema(() => version.schema, label, entry.subject, warnings);
    if (schema !== undefined) {
      usable.push({ label, schema });
    }
  }

  return usable;
}

/**
 * An earlier version that is not valid JSON or not valid Avro could never have been used to
 * write data, so it is skipped with a warning instead of failing every future check.
 */
function usableSchema(
  read: () => unknown,
  label: string,
  where: string,
  warnings: string[],
): unknown {
  try {
    const schema = read();
    parseSchema(schema, { version: label });
    return schema;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    warnings.push(`${where}: skipped ${label}, which is not a valid schema (${reason})`);
    return undefined;
  }
}

async function realpathOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // A missing folder is reported by the catalog loader with its own message.
    return path;
  }
}

function fail(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`schemas-check: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof SchemaCatalogError || error instanceof SchemaCompatibilityError) {
    console.error(`schemas-check: ${error.message}`);
    return 2;
  }

  console.error('schemas-check: unexpected failure', error);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
