import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ConnectorConfig } from './client';
import { ConnectError } from './errors';

/** A connector as declared in connectors/: its own settings over a shared base file. */
export interface ConnectorDefinition {
  name: string;
  file: string;
  config: ConnectorConfig;
}

interface ConnectorFile {
  name?: unknown;
  extends?: unknown;
  config?: unknown;
}

/**
 * Reads every connector file in `directory` (files with a `name`; the base
 * files they extend have none) and merges each over its base.
 */
export async function loadConnectorDefinitions(directory: string): Promise<ConnectorDefinition[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.json')).sort();
  const definitions: ConnectorDefinition[] = [];

  for (const file of files) {
    const parsed = await readJson<ConnectorFile>(join(directory, file));
    if (parsed.name === undefined) {
      continue;
    }
    if (typeof parsed.name !== 'string' || !isStringMap(parsed.config)) {
      throw new ConnectError(
        'INVALID_CONFIG',
        `${join(directory, file)} needs a string "name" and a "config" object of strings`,
      );
    }

    let base: ConnectorConfig = {};
    if (parsed.extends !== undefined) {
      const basePath = join(directory, String(parsed.extends));
      const baseConfig = await readJson<unknown>(basePath);
      if (!isStringMap(baseConfig)) {
        throw new ConnectError('INVALID_CONFIG', `${basePath} must be an object of strings`);
      }
      base = baseConfig;
    }

    definitions.push({ name: parsed.name, file, config: { ...base, ...parsed.config } });
  }

  return definitions;
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new ConnectError('INVALID_CONFIG', `${path} is not readable JSON`, { cause: error });
  }
}

function isStringMap(value: unknown): value is ConnectorConfig {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
