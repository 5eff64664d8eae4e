import type { Server } from 'node:http';

import { metricsHandler } from '@eventline/observability';
import express, { type Express } from 'express';

import type { ServiceRuntime } from './runtime';

/**
 * An express app with /healthz (the process answers), /readyz (Postgres and
 * Kafka answer; 503 naming what does not) and /metrics. The service adds its
 * own routes, then calls `listen`.
 */
export function serviceHttp(runtime: ServiceRuntime): { app: Express; listen(): Promise<Server> } {
  const app = express();
  app.disable('x-powered-by');
  const admin = runtime.kafka.admin();
  let adminConnected: Promise<void> | undefined;

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok', service: runtime.config.name });
  });

  app.get('/readyz', async (_request, response) => {
    const checks: Record<string, string> = {};
    await Promise.all([
      runtime.pool
        .query('SELECT 1')
        .then(() => (checks.database = 'ok'))
        .catch((error: Error) => (checks.database = error.message)),
      (async () => {
        adminConnected ??= admin.connect();
        await adminConnected;
        await admin.describeCluster();
        checks.kafka = 'ok';
      })().catch((error: Error) => {
        adminConnected = undefined;
        checks.kafka = error.message;
      }),
    ]);
    const ready = Object.values(checks).every((value) => value === 'ok');
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', metricsHandler(runtime.metrics));

  return {
    app,
    listen() {
      return new Promise((resolve, reject) => {
        const server = app.listen(runtime.config.httpPort, runtime.config.httpHost, () => {
          runtime.onStop(async () => {
            await new Promise<void>((done) => server.close(() => done()));
            await admin.disconnect();
          });
          resolve(server);
        });
        server.on('error', reject);
      });
    },
  };
}
