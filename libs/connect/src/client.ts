import { delay, retryWhileUnreachable, silentLogger, type Logger } from '@eventline/observability';

import { ConnectError } from './errors';

export type ConnectorConfig = Record<string, string>;

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
}

export interface ConnectClientOptions {
  /** The worker's REST address, e.g. http://127.0.0.1:8083. */
  url: string;
  logger?: Logger;
  /** Attempts for a request that finds the worker unreachable (default 8). */
  attempts?: number;
}

export interface ConnectClient {
  /** Creates the connector or updates its config; the same config twice is a no-op. */
  apply(name: string, config: ConnectorConfig): Promise<void>;
  status(name: string): Promise<ConnectorStatus | undefined>;
  /** Waits until the connector and every task are RUNNING; a FAILED task throws with its trace. */
  waitUntilRunning(name: string, timeoutMs?: number): Promise<ConnectorStatus>;
  remove(name: string): Promise<void>;
  list(): Promise<string[]>;
}

export function createConnectClient(options: ConnectClientOptions): ConnectClient {
  const logger = options.logger ?? silentLogger;
  const attempts = options.attempts ?? 8;
  const base = options.url.replace(/\/+$/, '');

  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    const send = () =>
      fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    try {
      return await retryWhileUnreachable(send, {
        attempts,
        logger,
        component: 'Kafka Connect',
        url: base,
      });
    } catch (error) {
      throw new ConnectError('UNREACHABLE', `Kafka Connect at ${base} is unreachable`, {
        cause: error,
      });
    }
  }

  async function expectOk(response: Response, what: string): Promise<Response> {
    if (response.ok) {
      return response;
    }
    const text = await response.text();
    throw new ConnectError(
      'REJECTED',
      `${what}: Kafka Connect answered ${response.status} ${text}`,
    );
  }

  async function status(name: string): Promise<ConnectorStatus | undefined> {
    const response = await request('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (response.status === 404) {
      return undefined;
    }
    return (await (await expectOk(response, `status of ${name}`)).json()) as ConnectorStatus;
  }

  return {
    async apply(name, config) {
      const path = `/connectors/${encodeURIComponent(name)}/config`;
      await expectOk(await request('PUT', path, config), `applying connector ${name}`);
      logger.info({ connector: name }, 'Connector config applied');
    },

    status,

    async waitUntilRunning(name, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ConnectorStatus | undefined;

      while (Date.now() < deadline) {
        last = await status(name);
        const failed = last && [last.connector, ...last.tasks].find((s) => s.state === 'FAILED');
        if (failed) {
          throw new ConnectError(
            'FAILED',
            `Connector ${name} failed: ${firstLines(failed.trace ?? 'no trace given')}`,
          );
        }
        if (
          last?.connector.state === 'RUNNING' &&
          last.tasks.length > 0 &&
          last.tasks.every((task) => task.state === 'RUNNING')
        ) {
          return last;
        }
        await delay(250);
      }

      throw new ConnectError(
        'TIMEOUT',
        `Connector ${name} was not RUNNING within ${timeoutMs} ms (last status: ${JSON.stringify(last)})`,
      );
    },

    async remove(name) {
      const response = await request('DELETE', `/connectors/${encodeURIComponent(name)}`);
      if (response.status !== 404) {
        await expectOk(response, `removing connector ${name}`);
      }
    },

    async list() {
      const response = await expectOk(await request('GET', '/connectors'), 'listing connectors');
      return (await response.json()) as string[];
    },
  };
}

function firstLines(trace: string): string {
  return trace.split('\n').slice(0, 6).join('\n');
}
