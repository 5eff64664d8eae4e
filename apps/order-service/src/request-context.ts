import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { childTraceparent } from '@eventline/consumer';

import { isUuid } from './json-schema';

// W3C Trace Context, version 00: an all-zero trace id or parent id is invalid.
const traceparentPattern = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export interface RequestContext {
  /** The caller's `x-correlation-id` when it is a UUID, else a new one. */
  correlationId: string;
  /**
   * A span of this service's work: a child of the caller's `traceparent`
   * when that is valid, else the root of a new trace.
   */
  traceparent: string;
}

/**
 * The context an event published while handling a request carries. The
 * outbox stores correlation ids as UUIDs, so another form of the header is
 * replaced by a new id rather than refused: the response echoes the id used.
 */
export function requestContext(headers: IncomingHttpHeaders): RequestContext {
  const correlation = headers['x-correlation-id'];
  const parent = headers.traceparent;
  const validParent =
    typeof parent === 'string' && traceparentPattern.test(parent.trim())
      ? parent.trim()
      : undefined;

  return {
    correlationId:
      typeof correlation === 'string' && isUuid(correlation.trim())
        ? correlation.trim().toLowerCase()
        : randomUUID(),
    traceparent: childTraceparent(validParent),
  };
}
