import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import type { MigrationSet } from '@eventline/db';
import type { Express } from 'express';

import type { ServiceConfig } from './config';
import { serviceHttp } from './http';
import { createServiceRuntime, type ServiceRuntime } from './runtime';

/** A started service: its runtime, and where its HTTP server listens (port 0 picks one). */
export type StartedService = ServiceRuntime & { server: Server; url: string };

/**
 * Starts a service: its runtime (migrations first), then `wire` (publishers,
 * consumers, engines; register what must stop with `runtime.onStop`), then
 * HTTP with the health and metrics routes and the routes `wire` adds.
 * A start that fails half way stops what it opened and rethrows.
 */
export async function startService(
  config: ServiceConfig,
  migrations: MigrationSet[],
  wire: (runtime: ServiceRuntime) => Promise<((app: Express) => void) | void>,
): Promise<StartedService> {
  const runtime = await createServiceRuntime(config, migrations);

  try {
    const addRoutes = await wire(runtime);
    const http = serviceHttp(runtime);
    addRoutes?.(http.app);
    const server = await http.listen();
    const address = server.address() as AddressInfo;
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    runtime.logger.info({ url }, 'Service listening');
    return Object.assign(runtime, { server, url });
  } catch (error) {
    // An unregistered schema or a missing topic must not leave the pool and
    // the Kafka clients open behind it.
    await runtime.stop().catch(() => undefined);
    throw error;
  }
}
