/**
 * The schema catalog: every Avro record the system publishes, read from the schemas folder.
 *
 * Layout: `<schemasDir>/<topic>/<RecordName>.avsc`, one top-level record per file. The folder
 * names the Kafka topic, and since several record types share a topic, subjects follow the
 * topic-record-name strategy (`<topic>-<record full name>`). `<schemasDir>/compatibility.json`
 * sets the registry compatibility mode per subject, with a default for the rest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import avro from 'avsc';

import { SchemaCatalogError } from './errors';

export type CompatibilityMode =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD_TRANSITIVE';

export const COMPATIBILITY_FILE = 'compatibility.json';

export interface CatalogEntry {
  /** Path relative to the schemas folder, e.g. 'orders.events/OrderPlaced.avsc'. */
  file: string;
  /** The folder name, e.g. 'orders.events'. */
  topic: string;
  /** The record's full name, e.g. 'eventline.orders.OrderPlaced'. */
  fullName: string;
  /** `${topic}-${fullName}` (topic-record-name strategy). */
  subject: string;
  /** From compatibility.json, or its default. */
  compatibility: CompatibilityMode;
  /** The parsed .avsc JSON. */
  schema: unknown;
  /** The file's text, as committed. */
  text: string;
}

interface CompatibilityConfig {
  defaultMode: CompatibilityMode;
  subjects: Map<string, CompatibilityMode>;
}

// Kafka's own rule for legal topic names (Topic.java: legal characters and maximum length).
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const SCHEMA_EXTENSION = '.avsc';

export function subjectFor(topic: string, fullName: string): string {
  return `${topic}-${fullName}`;
}

export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value);
}

/**
 * Reads and validates every schema under `schemasDir`. Files are read one after another in
 * sorted order so that, when several are broken, the same one is reported on every run.
 */
export async function loadCatalog(schemasDir: string): Promise<CatalogEntry[]> {
  const config = await readCompatibilityConfig(schemasDir);
  const files = await listSchemaFiles(schemasDir);
  const entries: CatalogEntry[] = [];
  for (const { topic, fileName } of files) {
    entries.push(await loadEntry(schemasDir, topic, fileName, config));
  }

  const subjects = new Set(entries.map((entry) => entry.subject));
  for (const subject of config.subjects.keys()) {
    if (!subjects.has(subject)) {
      throw new SchemaCatalogError(
        'COMPATIBILITY_SUBJECT_UNKNOWN',
        `${COMPATIBILITY_FILE} sets a mode for subject "${subject}" but no schema file produces it`,
        { file: COMPATIBILITY_FILE, subject },
      );
    }
  }

  // Code-unit order, not localeCompare, so the order does not depend on the machine's locale.
  return entries.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

async function listSchemaFiles(
  schemasDir: string,
): Promise<Array<{ topic: string; fileName: string }>> {
  const found: Array<{ topic: string; fileName: string }> = [];
  for (const entry of await listDir(schemasDir, '.')) {
    // Dot entries are editor and tool leftovers, never topics.
    if (entry.name.startsWith('.')) {
      continue;
    }
    if (entry.isFile() && entry.name.endsWith(SCHEMA_EXTENSION)) {
      throw new SchemaCatalogError(
        'SCHEMA_MISPLACED',
        `${entry.name}: schema files belong in a folder named after their topic`,
        { file: entry.name },
      );
    }
    if (!entry.isDirectory()) {
      continue;
    }
    if (!TOPIC_NAME.test(entry.name)) {
      throw new SchemaCatalogError(
        'SCHEMA_MISPLACED',
        `${entry.name}/: folder name is not a legal Kafka topic name`,
        { file: entry.name },
      );
    }

    for (const child of await listDir(join(schemasDir, entry.name), entry.name)) {
      if (child.isDirectory() && !child.name.startsWith('.')) {
        throw new SchemaCatalogError(
          'SCHEMA_MISPLACED',
          `${entry.name}/${child.name}/: topic folders hold schema files only, not subfolders`,
          { file: `${entry.name}/${child.name}` },
        );
      }
      if (child.isFile() && child.name.endsWith(SCHEMA_EXTENSION)) {
        found.push({ topic: entry.name, fileName: child.name });
      }
    }
  }

  return found.sort((a, b) => {
    const left = `${a.topic}/${a.fileName}`;
    const right = `${b.topic}/${b.fileName}`;
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

async function listDir(path: string, relative: string) {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    throw new SchemaCatalogError('CATALOG_UNREADABLE', `${relative}: cannot list folder`, {
      file: relative,
      cause: error,
    });
  }
}

async function loadEntry(
  schemasDir: string,
  topic: string,
  fileName: string,
  config: CompatibilityConfig,
): Promise<CatalogEntry> {
  const file = `${topic}/${fileName}`;
  const text = await readText(join(schemasDir, topic, fileName), file);
  const schema = parseJson(text, file, 'SCHEMA_NOT_JSON');
  if (!isNamedRecord(schema)) {
    throw new SchemaCatalogError(
      'SCHEMA_NOT_NAMED_RECORD',
      `${file}: the top level must be a record with a name`,
      { file },
    );
  }

  const fullName = fullNameOf(schema);
  const shortName = fullName.slice(fullName.lastIndexOf('.') + 1);
  const expectedFileName = `${shortName}${SCHEMA_EXTENSION}`;
  if (fileName !== expectedFileName) {
    throw new SchemaCatalogError(
      'SCHEMA_NAME_MISMATCH',
      `${file}: holds record "${fullName}", so the file must be named ${expectedFileName}`,
      { file },
    );
  }

  try {
    avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SchemaCatalogError('SCHEMA_INVALID', `${file}: invalid Avro schema: ${reason}`, {
      file,
      cause: error,
    });
  }

  const subject = subjectFor(topic, fullName);
  const compatibility = config.subjects.get(subject) ?? config.defaultMode;
  return { file, topic, fullName, subject, compatibility, schema, text };
}

async function readCompatibilityConfig(schemasDir: string): Promise<CompatibilityConfig> {
  let text: string;
  try {
    text = await readFile(join(schemasDir, COMPATIBILITY_FILE), 'utf8');
  } catch (error) {
    // Without the file every subject gets the default; any other read failure is real.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { defaultMode: DEFAULT_COMPATIBILITY, subjects: new Map() };
    }
    throw new SchemaCatalogError('CATALOG_UNREADABLE', `${COMPATIBILITY_FILE}: cannot read`, {
      file: COMPATIBILITY_FILE,
      cause: error,
    });
  }

  const raw = parseJson(text, COMPATIBILITY_FILE, 'COMPATIBILITY_CONFIG_INVALID');
  if (!isPlainObject(raw)) {
    throw invalidConfig('the top level must be an object');
  }
  const unknownKeys = Object.keys(raw).filter((key) => key !== 'default' && key !== 'subjects');
  if (unknownKeys.length > 0) {
    throw invalidConfig(`unknown keys ${unknownKeys.map((key) => `"${key}"`).join(', ')}`);
  }
  if (raw.subjects !== undefined && !isPlainObject(raw.subjects)) {
    throw invalidConfig('"subjects" must be an object of subject to mode');
  }

  const defaultMode = raw.default === undefined ? DEFAULT_COMPATIBILITY : raw.default;
  if (!isCompatibilityMode(defaultMode)) {
    throw unknownMode(defaultMode, 'default');
  }
  const subjects = new Map<string, CompatibilityMode>();
  for (const [subject, mode] of Object.entries(raw.subjects ?? {})) {
    if (!isCompatibilityMode(mode)) {
      throw unknownMode(mode, subject);
    }
    subjects.set(subject, mode);
  }

  return { defaultMode, subjects };
}

function invalidConfig(problem: string): SchemaCatalogError {
  return new SchemaCatalogError(
    'COMPATIBILITY_CONFIG_INVALID',
    `${COMPATIBILITY_FILE}: ${problem}`,
    {
      file: COMPATIBILITY_FILE,
    },
  );
}

function unknownMode(mode: unknown, where: string): SchemaCatalogError {
  const subject = where === 'default' ? {} : { subject: where };
  return new SchemaCatalogError(
    'COMPATIBILITY_MODE_UNKNOWN',
    `${COMPATIBILITY_FILE}: unknown compatibility mode ${JSON.stringify(mode)} for ${
      where === 'default' ? 'the default' : `subject "${where}"`
    }; expected one of ${COMPATIBILITY_MODES.join(', ')}`,
    { file: COMPATIBILITY_FILE, ...subject },
  );
}

async function readText(path: string, file: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SchemaCatalogError('CATALOG_UNREADABLE', `${file}: cannot read`, {
      file,
      cause: error,
    });
  }
}

function parseJson(
  text: string,
  file: string,
  code: 'SCHEMA_NOT_JSON' | 'COMPATIBILITY_CONFIG_INVALID',
): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SchemaCatalogError(code, `${file}: not valid JSON`, { file, cause: error });
  }
}

interface NamedRecord {
  type: 'record';
  name: string;
  namespace?: unknown;
}

function isNamedRecord(value: unknown): value is NamedRecord {
  return (
    isPlainObject(value) &&
    value.type === 'record' &&
    typeof value.name === 'string' &&
    value.name !== ''
  );
}

/** Avro's naming rule: a dotted name is already full and its namespace attribute is ignored. */
function fullNameOf(record: NamedRecord): string {
  if (record.name.includes('.')) {
    return record.name;
  }
  if (typeof record.namespace === 'string' && record.namespace !== '') {
    return `${record.namespace}.${record.name}`;
  }
  return record.name;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
