import { randomBytes } from 'node:crypto';

/**
 * A W3C traceparent for work caused by a message: the same trace id, a new
 * span id, the same flags. A missing or malformed parent starts a new trace.
 */
export function childTraceparent(parent: string | undefined): string {
  const match = parent ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(parent) : null;
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  const flags = match?.[2] ?? '01';
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}
