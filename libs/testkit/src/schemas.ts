import { fileURLToPath } from 'node:url';

import { loadCatalog, subjectFor, type CatalogEntry } from '@eventline/schemas';

export const schemasDir = fileURLToPath(new URL('../../../schemas', import.meta.url));

/**
 * The real schema catalog with every topic renamed to `<prefix>.<topic>`, and
 * so every subject too: a test file registers and publishes on topics no other
 * test file uses, with the schemas the services use.
 */
export async function testCatalog(prefix: string): Promise<CatalogEntry[]> {
  const entries = await loadCatalog(schemasDir);
  return entries.map((entry) => {
    const topic = `${prefix}.${entry.topic}`;
    return { ...entry, topic, subject: subjectFor(topic, entry.fullName) };
  });
}
