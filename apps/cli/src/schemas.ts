import { fileURLToPath } from 'node:url';

import type { Logger } from '@eventline/observability';
import { createRegistryClient, loadCatalog, registerCatalog } from '@eventline/schemas';

import type { CliConfig } from './config';

export const schemasDir = fileURLToPath(new URL('../../../schemas', import.meta.url));

/** The deploy step: every schema in schemas/ registered under its subject with its mode. */
export async function registerSchemas(config: CliConfig, logger: Logger): Promise<void> {
  const registry = createRegistryClient({ url: config.registryUrl, logger });
  const results = await registerCatalog(registry, await loadCatalog(schemasDir));
  for (const result of results) {
    logger.info({ ...result }, result.added ? 'Schema registered' : 'Schema already registered');
  }
}

/** Subjects in the registry with their versions and modes. */
export async function listSchemas(config: CliConfig, json: boolean): Promise<void> {
  const registry = createRegistryClient({ url: config.registryUrl });
  const rows = [];
  for (const subject of (await registry.subjects()).sort()) {
    rows.push({
      subject,
      versions: await registry.versions(subject),
      compatibility: (await registry.compatibility(subject)) ?? 'global',
    });
  }

  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const row of rows) {
    process.stdout.write(
      `${row.subject}  versions ${row.versions.join(',')}  ${row.compatibility}\n`,
    );
  }
}
