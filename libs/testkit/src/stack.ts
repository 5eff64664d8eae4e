/** Where the stack under test listens; the local stack's defaults, overridable by env. */
export interface StackEndpoints {
  pgAdminUrl: string;
  pgAppUrl: string;
  kafkaBrokers: string[];
  connectUrl: string;
  registryUrl: string;
}

export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const pgPort = env.PG_PORT ?? '5433';
  return {
    pgAdminUrl: env.EVENTLINE_PG_ADMIN_URL ?? `postgres://postgres:postgres@127.0.0.1:${pgPort}`,
    pgAppUrl: env.EVENTLINE_PG_URL ?? `postgres://eventline:eventline@127.0.0.1:${pgPort}`,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    connectUrl: env.CONNECT_URL ?? 'http://127.0.0.1:8083',
    registryUrl: env.REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  };
}

/** A name no other test file or run uses: `prefix_<random hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Math.random().toString(16).slice(2, 10)}`;
}
