import { createPool, withDatabase, type Pool } from '@eventline/db';
import { Kafka, logLevel, type Admin } from 'kafkajs';

import type { CliConfig } from './config';

export function kafkaClient(config: CliConfig): Kafka {
  return new Kafka({
    clientId: 'eventline-cli',
    brokers: config.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
}

/** Runs `work` with a pool on a service database, closing it afterwards. */
export async function withServicePool<T>(
  config: CliConfig,
  database: string,
  work: (pool: Pool) => Promise<T>,
): Promise<T> {
  const pool = createPool({ connectionString: withDatabase(config.pgAppUrl, database), max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** Runs `work` with a connected kafkajs admin, disconnecting afterwards. */
export async function withAdmin<T>(
  config: CliConfig,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafkaClient(config).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
