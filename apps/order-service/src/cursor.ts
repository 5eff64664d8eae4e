import { isUuid } from './json-schema';

/**
 * A position in the newest-first listing: the (created_at, id) of the last
 * order of a page. created_at is kept in whole microseconds, Postgres's own
 * precision, because a JavaScript Date would round it to milliseconds and
 * skip or repeat orders created within one millisecond.
 */
export interface OrderCursor {
  createdAtMicros: string;
  id: string;
}

export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMicros, cursor.id])).toString('base64url');
}

/** The cursor in `text`, or undefined when it is not one this service made. */
export function decodeCursor(text: string): OrderCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) {
    return undefined;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) {
    return undefined;
  }

  const [micros, id] = parsed as unknown[];
  if (typeof micros !== 'string' || !/^-?\d{1,18}$/.test(micros)) {
    return undefined;
  }
  if (typeof id !== 'string' || !isUuid(id)) {
    return undefined;
  }

  return { createdAtMicros: micros, id };
}
