import type { CatalogEntry } from './catalog';
import type { RegistryClient } from './registry-client';

export interface RegistrationResult {
  subject: string;
  id: number;
  /** True when this call added a version; false when the schema was already there. */
  added: boolean;
}

/**
 * The deploy step: sets each subject's compatibility mode, then registers its
 * schema. The mode goes first so that the registry judges the new version by
 * the subject's own mode, not the global default. The registry refuses an
 * incompatible version (REGISTRY_REJECTED naming the subject); CI's offline
 * check should have caught it before.
 */
export async function registerCatalog(
  registry: RegistryClient,
  entries: CatalogEntry[],
): Promise<RegistrationResult[]> {
  const results: RegistrationResult[] = [];

  for (const entry of entries) {
    const existing = await registry.lookup(entry.subject, entry.schema);
    if (existing) {
      if ((await registry.compatibility(entry.subject)) !== entry.compatibility) {
        await registry.setCompatibility(entry.subject, entry.compatibility);
      }
      results.push({ subject: entry.subject, id: existing.id, added: false });
      continue;
    }

    await registry.setCompatibility(entry.subject, entry.compatibility);
    const id = await registry.register(entry.subject, entry.schema);
    results.push({ subject: entry.subject, id, added: true });
  }

  return results;
}
