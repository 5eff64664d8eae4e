/** Structured fields with stable keys: topic, partition, offset, groupId, eventId, sagaId... */
export type LogFields = Record<string, unknown>;

/**
 * The logger every lib takes. Messages are fixed sentences; anything that
 * varies goes into `fields`. Apps pass a pino logger (it has this shape);
 * libs default to `silentLogger`.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  child(fields: LogFields): Logger;
}

const noop = (): void => undefined;

export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
