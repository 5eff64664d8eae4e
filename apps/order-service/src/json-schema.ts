import type { FieldError, FieldLocation } from './errors';

/**
 * The part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that this API's
 * documents are written in. Request bodies are validated against the same
 * schema objects the OpenAPI document publishes, so the two cannot drift.
 */
export interface JsonSchema {
  $ref?: string;
  /** The value must satisfy each of these. */
  allOf?: readonly JsonSchema[];
  type?: JsonType | JsonType[];
  title?: string;
  description?: string;
  format?: 'uuid' | 'date-time' | 'uri';
  enum?: readonly (string | number | null)[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  examples?: readonly unknown[];
  readOnly?: boolean;
  /** What a value failing `pattern` is told, instead of the expression itself. */
  'x-pattern-message'?: string;
}

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** Escapes one key for a JSON pointer (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Resolves `#/components/schemas/Name` references. */
export type SchemaResolver = (ref: string) => JsonSchema | undefined;

/**
 * Every way `value` breaks `schema`, each with its JSON pointer. An object
 * field that is missing or of the wrong type stops the checks below it, so
 * each bad field is named once, with the most useful message.
 */
export function validateJson(
  schema: JsonSchema,
  value: unknown,
  resolve: SchemaResolver,
  location: FieldLocation = 'body',
): FieldError[] {
  const errors: FieldError[] = [];
  check(schema, value, '', { resolve, location, errors });
  return errors;
}

interface Walk {
  resolve: SchemaResolver;
  location: FieldLocation;
  errors: FieldError[];
}

function check(schema: JsonSchema, value: unknown, path: string, walk: Walk): void {
  if (schema.$ref) {
    const target = walk.resolve(schema.$ref);
    if (!target) {
      throw new Error(`The schema reference ${schema.$ref} does not resolve`);
    }
    check(target, value, path, walk);
    return;
  }
  for (const part of schema.allOf ?? []) {
    check(part, value, path, walk);
  }

  const report = (message: string) =>
    walk.errors.push({ in: walk.location, path: path || '/', message });
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.length > 0 && !types.some((type) => hasType(value, type))) {
    report(`must be ${types.map(typeName).join(' or ')}`);
    return;
  }

  if (schema.enum && !schema.enum.includes(value as string | number | null)) {
    report(`must be one of: ${schema.enum.map(String).join(', ')}`);
    return;
  }

  if (typeof value === 'string') {
    checkString(schema, value, report);
  } else if (typeof value === 'number') {
    checkNumber(schema, value, report);
  } else if (Array.isArray(value)) {
    checkArray(schema, value, path, walk, report);
  } else if (value !== null && typeof value === 'object') {
    checkObject(schema, value as Record<string, unknown>, path, walk);
  }
}

function checkString(schema: JsonSchema, value: string, report: (message: string) => void): void {
  // Lengths count characters, not UTF-16 units.
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) {
    report(
      schema.minLength === 1
        ? 'must not be empty'
        : `must have at least ${schema.minLength} characters`,
    );
  } else if (schema.maxLength !== undefined && length > schema.maxLength) {
    report(`must have at most ${schema.maxLength} characters`);
  } else if (schema.format === 'uuid' && !isUuid(value)) {
    report('must be a UUID (8-4-4-4-12 hexadecimal digits)');
  } else if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    report(schema['x-pattern-message'] ?? `must match ${schema.pattern}`);
  }
}

function checkNumber(schema: JsonSchema, value: number, report: (message: string) => void): void {
  if (schema.minimum !== undefined && value < schema.minimum) {
    report(`must be at least ${schema.minimum}`);
  } else if (schema.maximum !== undefined && value > schema.maximum) {
    report(`must be at most ${schema.maximum}`);
  }
}

function checkArray(
  schema: JsonSchema,
  value: unknown[],
  path: string,
  walk: Walk,
  report: (message: string) => void,
): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    report(`must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    return;
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    report(`must have at most ${schema.maxItems} items`);
    return;
  }

  const items = schema.items;
  if (items) {
    value.forEach((item, index) => check(items, item, `${path}/${index}`, walk));
  }
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: string,
  walk: Walk,
): void {
  const properties = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) {
      walk.errors.push({
        in: walk.location,
        path: `${path}/${pointerSegment(name)}`,
        message: 'is required',
      });
    }
  }

  for (const [name, field] of Object.entries(value)) {
    const fieldPath = `${path}/${pointerSegment(name)}`;
    const known = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (known) {
      check(known, field, fieldPath, walk);
    } else if (schema.additionalProperties === false) {
      walk.errors.push({ in: walk.location, path: fieldPath, message: 'is not a known field' });
    } else if (typeof schema.additionalProperties === 'object') {
      check(schema.additionalProperties, field, fieldPath, walk);
    }
  }
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function typeName(type: JsonType): string {
  const names: Record<JsonType, string> = {
    null: 'null',
    array: 'an array',
    object: 'an object',
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
  };
  return names[type];
}
