/**
 * Earlier versions of a subject, read from a registry that speaks the Confluent REST API
 * (Apicurio serves it under /apis/ccompat/v7). Only reads: registering is the deploy step's job.
 */
import { SchemaCompatibilityError } from './errors';

export interface RegisteredVersion {
  version: number;
  /** The registry's global schema id. */
  id: number | undefined;
  /** The schema JSON, parsed. */
  schema: unknown;
}

export interface RegistryReadOptions {
  /** Per request; defaults to 10 seconds. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Every Avro version registered under `subject`, oldest first; none when the subject does not
 * exist (a 404). Versions of another schema type (JSON, Protobuf) are left out: they cannot be
 * resolved against an Avro schema.
 */
export async function readRegisteredVersions(
  registryUrl: string,
  subject: string,
  options: RegistryReadOptions = {},
): Promise<RegisteredVersion[]> {
  const base = `${registryUrl.replace(/\/+$/, '')}/subjects/${encodeURIComponent(subject)}/versions`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const list = await getJson(registryUrl, base, timeoutMs);
  if (list === undefined) {
    return [];
  }
  if (!Array.isArray(list) || !list.every((v) => Number.isInteger(v))) {
    throw badResponse(base, 'expected an array of version numbers');
  }

  const versions: RegisteredVersion[] = [];
  for (const version of [...(list as number[])].sort((a, b) => a - b)) {
    const url = `${base}/${version}`;
    const body = await getJson(registryUrl, url, timeoutMs);
    if (!isObject(body) || typeof body.schema !== 'string') {
      throw badResponse(url, 'expected an object with a "schema" string');
    }
    if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
      continue;
    }
    versions.push({
      version,
      id: typeof body.id === 'number' ? body.id : undefined,
      schema: parseSchemaText(body.schema, url),
    });
  }

  return versions;
}

/** The parsed body, or undefined for a 404. */
async function getJson(registryUrl: string, url: string, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new SchemaCompatibilityError(
      'REGISTRY_UNREACHABLE',
      `cannot reach the schema registry at ${registryUrl} (GET ${url} failed: ${reasonOf(error)})`,
      { cause: error },
    );
  }

  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  const text = await response.text();
  if (!response.ok) {
    throw badResponse(url, `status ${response.status}: ${text.slice(0, 200)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badResponse(url, 'the body is not JSON', error);
  }
}

function parseSchemaText(text: string, url: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badResponse(url, 'the registered schema is not JSON', error);
  }
}

function badResponse(url: string, problem: string, cause?: unknown) {
  return new SchemaCompatibilityError(
    'REGISTRY_RESPONSE_INVALID',
    `unexpected answer from the schema registry to GET ${url}: ${problem}`,
    cause === undefined ? {} : { cause },
  );
}

/** fetch hides the socket error (ECONNREFUSED, ENOTFOUND) in `cause`; show it. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${inner}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
