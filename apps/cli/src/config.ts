import { fileURLToPath } from 'node:url';

/** Everything the CLI reads from the environment, with the local stack's defaults. */
export interface CliConfig {
  /** Superuser connection to the stack's Postgres, without a database name. */
  pgAdminUrl: string;
  /** The services' own role, without a database name. */
  pgAppUrl: string;
  connectUrl: string;
  registryUrl: string;
  kafkaBrokers: string[];
  connectorsDir: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const pgPort = env.PG_PORT ?? '5433';
  return {
    pgAdminUrl: env.EVENTLINE_PG_ADMIN_URL ?? `postgres://postgres:postgres@127.0.0.1:${pgPort}`,
    pgAppUrl: env.EVENTLINE_PG_URL ?? `postgres://eventline:eventline@127.0.0.1:${pgPort}`,
    connectUrl: env.CONNECT_URL ?? 'http://127.0.0.1:8083',
    registryUrl: env.REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    connectorsDir:
      env.EVENTLINE_CONNECTORS_DIR ??
      fileURLToPath(new URL('../../../connectors', import.meta.url)),
  };
}
