import { createHash } from 'node:crypto';

import { canonicalJson } from '@eventline/schemas';

export { canonicalJson };

/** SHA-256 (hex) of the canonical JSON of `value` (keys sorted at every level, no spaces). */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
