import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { createRegistryClient, loadCatalog, registerCatalog } from '@eventline/schemas';

import { emit, optionalString, table, type Command } from '../command';

export const schemasDir = fileURLToPath(new URL('../../../../schemas', import.meta.url));
const checkScript = fileURLToPath(new URL('../../../../scripts/schemas/check.ts', import.meta.url));

export const schemasListCommand: Command = {
  name: 'schemas list',
  summary: 'subjects in the registry with their versions and compatibility modes',
  help: 'Options:\n  --json       machine-readable output\n',
  options: {},
  async run(context) {
    const registry = createRegistryClient({ url: context.config.registryUrl });
    const rows: { subject: string; versions: number[]; compatibility: string }[] = [];
    for (const subject of (await registry.subjects()).sort()) {
      rows.push({
        subject,
        versions: await registry.versions(subject),
        compatibility: (await registry.compatibility(subject)) ?? 'global',
      });
    }
    emit(context, rows, () =>
      table([
        ['subject', 'versions', 'compatibility'],
        ...rows.map((r) => [r.subject, r.versions.join(','), r.compatibility]),
      ]),
    );
    return 0;
  },
};

export const schemasRegisterCommand: Command = {
  name: 'schemas register',
  summary: 'register every schema in schemas/ under its subject, with its mode (deploy step)',
  help: 'Idempotent: a schema already registered keeps its id.\n\nOptions:\n  --json       machine-readable output\n',
  options: {},
  async run(context) {
    const registry = createRegistryClient({
      url: context.config.registryUrl,
      logger: context.logger,
    });
    const results = await registerCatalog(registry, await loadCatalog(schemasDir));
    emit(context, results, () =>
      table([
        ['subject', 'id', 'registered now'],
        ...results.map((r) => [r.subject, r.id, r.added ? 'yes' : 'no']),
      ]),
    );
    return 0;
  },
};

export const schemasCheckCommand: Command = {
  name: 'schemas check',
  summary: 'check schemas for compatibility: the same checker CI runs',
  help: `Checks every schema in schemas/ against its earlier versions in git, and
with --registry against the registered ones; a break exits 1 naming the
subject, the field and the rule.

Options:
  --base REF       compare with the history of REF (default HEAD)
  --registry URL   also check against this registry (use "default" for the stack's)
  --json           machine-readable output
`,
  options: { base: { type: 'string' }, registry: { type: 'string' } },
  async run(context, values) {
    const registry = optionalString(values, 'registry');
    const base = optionalString(values, 'base');
    const args = [
      ...(base === undefined ? [] : ['--base', base]),
      ...(registry === undefined
        ? []
        : ['--registry', registry === 'default' ? context.config.registryUrl : registry]),
      ...(context.json ? ['--json'] : []),
    ];
    const result = spawnSync(process.execPath, ['--import', 'tsx', checkScript, ...args], {
      stdio: 'inherit',
    });
    return result.status ?? 2;
  },
};
