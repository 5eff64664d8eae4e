import { retryWhileUnreachable, silentLogger, type Logger } from '@eventline/observability';

import type { CompatibilityMode } from './catalog';
import { SchemaError } from './errors';

export interface RegistryClientOptions {
  /** Base URL of a Confluent-API registry, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  url: string;
  logger?: Logger;
  /** Attempts for a call that finds the registry unreachable (default 6). */
  attempts?: number;
  /** Per request; a registry that does not answer in time counts as unreachable (default 10 s). */
  timeoutMs?: number;
}

export interface RegisteredSchema {
  id: number;
  version: number;
  schema: string;
  /** AVRO, JSON or PROTOBUF; registries leave it out for Avro. */
  schemaType?: string;
}

/** The registry calls the platform makes, each retried with backoff while unreachable. */
export interface RegistryClient {
  /** Registers a schema under a subject (the same schema twice gives the same id). */
  register(subject: string, schema: unknown): Promise<number>;
  /** The id of this exact schema under the subject, or undefined when it is not registered. */
  lookup(subject: string, schema: unknown): Promise<RegisteredSchema | undefined>;
  /** A schema's text by id; cached, since an id never changes meaning. */
  schemaById(id: number): Promise<string>;
  latest(subject: string): Promise<RegisteredSchema | undefined>;
  versions(subject: string): Promise<number[]>;
  version(subject: string, version: number): Promise<RegisteredSchema>;
  isCompatible(subject: string, schema: unknown): Promise<boolean>;
  setCompatibility(subject: string, mode: CompatibilityMode): Promise<void>;
  /** The subject's own mode, or undefined when it follows the global one. */
  compatibility(subject: string): Promise<CompatibilityMode | undefined>;
  subjects(): Promise<string[]>;
}

const contentType = 'application/vnd.schemaregistry.v1+json';

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const logger = options.logger ?? silentLogger;
  const attempts = options.attempts ?? 6;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.url.replace(/\/+$/, '');
  const schemaCache = new Map<number, Promise<string>>();

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    const send = () =>
      fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': contentType, accept: contentType },
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    try {
      return await retryWhileUnreachable(send, {
        attempts,
        logger,
        component: 'schema registry',
        url: base,
      });
    } catch (error) {
      throw new SchemaError('REGISTRY_UNREACHABLE', `Schema registry at ${base} is unreachable`, {
        cause: error,
      });
    }
  }

  /** Parses a 2xx answer; undefined for 404 when `missingOk`; otherwise REGISTRY_REJECTED. */
  async function json<T>(
    response: Response,
    what: string,
    missingOk = false,
  ): Promise<T | undefined> {
    if (response.ok) {
      return (await response.json()) as T;
    }
    if (missingOk && response.status === 404) {
      return undefined;
    }
    const text = await response.text();
    throw new SchemaError(
      'REGISTRY_REJECTED',
      `${what}: registry answered ${response.status} ${text}`,
    );
  }

  const subjectPath = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;
  const schemaBody = (schema: unknown) => ({
    schemaType: 'AVRO',
    schema: typeof schema === 'string' ? schema : JSON.stringify(schema),
  });

  async function required<T>(promise: Promise<T | undefined>, what: string): Promise<T> {
    const value = await promise;
    if (value === undefined) {
      throw new SchemaError('REGISTRY_REJECTED', `${what}: registry answered 404`);
    }
    return value;
  }

  return {
    async register(subject, schema) {
      const what = `registering a schema under ${subject}`;
      const response = await call('POST', `${subjectPath(subject)}/versions`, schemaBody(schema));
      return (await required(json<{ id: number }>(response, what), what)).id;
    },

    async lookup(subject, schema) {
      const response = await call('POST', subjectPath(subject), schemaBody(schema));
      return json<RegisteredSchema>(response, `looking up a schema under ${subject}`, true);
    },

    schemaById(id) {
      let cached = schemaCache.get(id);
      if (!cached) {
        cached = (async () => {
          const response = await call('GET', `/schemas/ids/${id}`);
          const found = await json<{ schema: string }>(response, `schema ${id}`, true);
          if (!found) {
            throw new SchemaError('UNKNOWN_SCHEMA_ID', `The registry has no schema with id ${id}`);
          }
          return found.schema;
        })();
        // A failure is not cached: the next message may find the registry back.
        cached.catch(() => schemaCache.delete(id));
        schemaCache.set(id, cached);
      }
      return cached;
    },

    async latest(subject) {
      const response = await call('GET', `${subjectPath(subject)}/versions/latest`);
      return json<RegisteredSchema>(response, `latest version of ${subject}`, true);
    },

    async versions(subject) {
      const response = await call('GET', `${subjectPath(subject)}/versions`);
      return (await json<number[]>(response, `versions of ${subject}`, true)) ?? [];
    },

    async version(subject, version) {
      const what = `version ${version} of ${subject}`;
      const response = await call('GET', `${subjectPath(subject)}/versions/${version}`);
      return required(json<RegisteredSchema>(response, what), what);
    },

    async isCompatible(subject, schema) {
      const what = `compatibility of a schema with ${subject}`;
      const path = `/compatibility${subjectPath(subject)}/versions/latest`;
      const response = await call('POST', path, schemaBody(schema));
      const answer = await json<{ is_compatible: boolean }>(response, what, true);
      // No earlier version: anything is compatible.
      return answer?.is_compatible ?? true;
    },

    async setCompatibility(subject, mode) {
      const what = `setting the mode of ${subject}`;
      const response = await call('PUT', `/config/${encodeURIComponent(subject)}`, {
        compatibility: mode,
      });
      await required(json<unknown>(response, what), what);
    },

    async compatibility(subject) {
      const response = await call('GET', `/config/${encodeURIComponent(subject)}`);
      const answer = await json<{ compatibilityLevel?: CompatibilityMode }>(
        response,
        `mode of ${subject}`,
        true,
      );
      return answer?.compatibilityLevel;
    },

    async subjects() {
      return (await json<string[]>(await call('GET', '/subjects'), 'listing subjects')) ?? [];
    },
  };
}
