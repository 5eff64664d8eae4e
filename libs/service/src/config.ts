import { fileURLToPath } from 'node:url';

import { withDatabase } from '@eventline/db';

/** A service's resolved settings; apps build it from their environment. */
export interface ServiceConfig {
  /** e.g. 'inventory-service'; also its consumer group id (after the prefix). */
  name: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  registryUrl: string;
  httpHost: string;
  httpPort: number;
  logLevel: string;
  /**
   * Put before every topic and group name; '' in production. Tests run a
   * whole system on topics and groups of their own with it.
   */
  topicPrefix: string;
  schemasDir: string;
  /** How long a silent consumer keeps its partitions (the pause after a crash). */
  consumerSessionTimeoutMs: number;
}

export interface ServiceDefaults {
  name: string;
  database: string;
  httpPort: number;
}

const repoSchemas = fileURLToPath(new URL('../../../schemas', import.meta.url));

function positiveNumber(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
): number {
  const text = env[name];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got "${text}"`);
  }
  return value;
}

/**
 * Settings from an environment map (the app passes process.env), with the
 * local stack's defaults: DATABASE_URL (else EVENTLINE_PG_URL + the service's
 * database), KAFKA_BROKERS, REGISTRY_URL, HOST, PORT, LOG_LEVEL, TOPIC_PREFIX,
 * CONSUMER_SESSION_TIMEOUT_MS.
 */
export function serviceConfigFrom(
  env: Record<string, string | undefined>,
  defaults: ServiceDefaults,
): ServiceConfig {
  const pgBase =
    env.EVENTLINE_PG_URL ?? `postgres://eventline:eventline@127.0.0.1:${env.PG_PORT ?? '5433'}`;
  const port = Number(env.PORT ?? defaults.httpPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a TCP port number, got "${env.PORT}"`);
  }
  return {
    name: defaults.name,
    databaseUrl: env.DATABASE_URL ?? withDatabase(pgBase, defaults.database),
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    registryUrl: env.REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    httpHost: env.HOST ?? '127.0.0.1',
    httpPort: port,
    logLevel: env.LOG_LEVEL ?? 'info',
    topicPrefix: env.TOPIC_PREFIX ?? '',
    schemasDir: env.SCHEMAS_DIR ?? repoSchemas,
    consumerSessionTimeoutMs: positiveNumber(env, 'CONSUMER_SESSION_TIMEOUT_MS', 30_000),
  };
}
