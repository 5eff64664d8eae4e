/**
 * Earlier versions of a subject, read through the platform's registry client (Confluent REST
 * API; Apicurio serves it under /apis/ccompat/v7). Only reads: registering is the deploy step's
 * job.
 */
import { SchemaCompatibilityError, SchemaError } from '../errors';
import { createRegistryClient, type RegistryClient } from '../registry-client';

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

// A check run by hand or in CI should say soon that the registry is down,
// not back off for as long as a service waiting for it at start would.
const ATTEMPTS = 2;

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
  const registry = createRegistryClient({
    url: registryUrl,
    attempts: ATTEMPTS,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });

  try {
    return await readVersions(registry, subject);
  } catch (error) {
    throw asCompatibilityError(error, registryUrl, subject);
  }
}

async function readVersions(registry: RegistryClient, subject: string) {
  const versions: RegisteredVersion[] = [];
  for (const version of [...(await registry.versions(subject))].sort((a, b) => a - b)) {
    const found = await registry.version(subject, version);
    if (found.schemaType !== undefined && found.schemaType !== 'AVRO') {
      continue;
    }
    versions.push({
      version,
      id: found.id,
      schema: parseSchemaText(found.schema, subject, version),
    });
  }
  return versions;
}

function parseSchemaText(text: string, subject: string, version: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SchemaCompatibilityError(
      'REGISTRY_RESPONSE_INVALID',
      `version ${version} of ${subject} in the schema registry is not JSON`,
      { cause: error },
    );
  }
}

function asCompatibilityError(error: unknown, registryUrl: string, subject: string): unknown {
  if (!(error instanceof SchemaError)) {
    return error;
  }
  if (error.code === 'REGISTRY_UNREACHABLE') {
    return new SchemaCompatibilityError(
      'REGISTRY_UNREACHABLE',
      `cannot reach the schema registry at ${registryUrl} (${reasonOf(error.cause)})`,
      { cause: error },
    );
  }
  return new SchemaCompatibilityError(
    'REGISTRY_RESPONSE_INVALID',
    `unexpected answer from the schema registry about ${subject}: ${error.message}`,
    { cause: error },
  );
}

/** fetch hides the socket error (ECONNREFUSED, ENOTFOUND) in `cause`; show it. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${inner}`;
}
