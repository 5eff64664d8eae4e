/**
 * Turns schema JSON (as read from an .avsc file or a registry) into the model in `model.ts`,
 * resolving named-type references. Follows the naming rules of the Avro specification: a dotted
 * name is a full name, otherwise the namespace comes from the `namespace` attribute or the most
 * tightly enclosing named type, and a name must be defined before it is referenced.
 */
import { isJsonObject, type JsonObject } from '../json';
import { isValidDefault } from './defaults';
import { SchemaCompatibilityError } from '../errors';
import type {
  AvroField,
  AvroNamedType,
  AvroNonUnion,
  AvroType,
  LogicalAnnotation,
  PrimitiveName,
} from './model';
import { PRIMITIVE_NAMES } from './model';

export interface ParseOptions {
  /** Names the schema in error messages, e.g. `git 1a2b3c4`. */
  version?: string;
}

interface ParseContext {
  names: Map<string, AvroNamedType>;
  /** Defaults are checked once the whole schema is parsed, since they may use later types. */
  pendingDefaults: Array<{ field: AvroField; location: string }>;
  version: string | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseSchema(json: unknown, options: ParseOptions = {}): AvroType {
  const context: ParseContext = { names: new Map(), pendingDefaults: [], version: options.version };
  const type = parseType(json, '', '$', context);
  for (const { field, location } of context.pendingDefaults) {
    if (!isValidDefault(field.type, field.default)) {
      throw invalid(context, location, `default of field "${field.name}" does not fit its type`);
    }
  }

  return type;
}

function parseType(
  json: unknown,
  namespace: string,
  location: string,
  context: ParseContext,
): AvroType {
  if (typeof json === 'string') {
    return parseReference(json, namespace, location, context);
  }
  if (Array.isArray(json)) {
    return parseUnion(json, namespace, location, context);
  }
  if (!isJsonObject(json)) {
    throw invalid(context, location, 'a schema must be a string, an array or an object');
  }

  const type = json.type;
  if (typeof type !== 'string') {
    throw invalid(context, location, 'a schema object needs a string "type"');
  }
  switch (type) {
    case 'record':
    case 'enum':
    case 'fixed':
      return parseNamed(type, json, namespace, location, context);
    case 'array':
      return { kind: 'array', items: parseChild(json, 'items', namespace, location, context) };
    case 'map':
      return { kind: 'map', values: parseChild(json, 'values', namespace, location, context) };
  }
  if (isPrimitiveName(type)) {
    return {
      kind: 'primitive',
      name: type,
      ...parseLogical(json, type === 'bytes' ? 'bytes' : 'other'),
    };
  }

  // `{"type": "Address"}` is an object-form reference to a named type.
  return parseReference(type, namespace, `${location}.type`, context);
}

function parseChild(
  json: JsonObject,
  key: 'items' | 'values',
  namespace: string,
  location: string,
  context: ParseContext,
): AvroType {
  if (!(key in json)) {
    throw invalid(context, location, `a ${json.type as string} schema needs "${key}"`);
  }

  return parseType(json[key], namespace, `${location}.${key}`, context);
}

function parseReference(
  name: string,
  namespace: string,
  location: string,
  context: ParseContext,
): AvroType {
  if (isPrimitiveName(name)) {
    return { kind: 'primitive', name };
  }

  const found =
    (!name.includes('.') && namespace !== ''
      ? context.names.get(`${namespace}.${name}`)
      : undefined) ?? context.names.get(name);
  if (found === undefined) {
    throw invalid(context, location, `"${name}" is not a primitive type or a type defined before`);
  }

  return found;
}

function parseUnion(
  json: unknown[],
  namespace: string,
  location: string,
  context: ParseContext,
): AvroType {
  const branches: AvroNonUnion[] = [];
  const seen = new Set<string>();
  json.forEach((item, index) => {
    const branchLocation = `${location}[${index}]`;
    const branch = parseType(item, namespace, branchLocation, context);
    if (branch.kind === 'union') {
      throw invalid(context, branchLocation, 'a union may not directly contain another union');
    }

    // Unnamed types may appear once per kind, named types once per full name.
    const key =
      branch.kind === 'primitive'
        ? branch.name
        : branch.kind === 'array' || branch.kind === 'map'
          ? branch.kind
          : `named:${branch.fullName}`;
    if (seen.has(key)) {
      throw invalid(context, branchLocation, `the union already has a ${key} branch`);
    }
    seen.add(key);
    branches.push(branch);
  });

  return { kind: 'union', branches };
}

function parseNamed(
  kind: 'record' | 'enum' | 'fixed',
  json: JsonObject,
  enclosingNamespace: string,
  location: string,
  context: ParseContext,
): AvroNamedType {
  const { name, namespace, fullName } = parseName(json, enclosingNamespace, location, context);
  if (context.names.has(fullName)) {
    throw invalid(context, location, `"${fullName}" is defined twice`);
  }
  const aliases = parseAliases(json, namespace, location, context);

  if (kind === 'fixed') {
    const size = json.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw invalid(context, location, `fixed "${fullName}" needs a non-negative integer size`);
    }
    const fixed: AvroNamedType = {
      kind,
      name,
      fullName,
      aliases,
      size,
      ...parseLogical(json, { fixedSize: size }),
    };
    context.names.set(fullName, fixed);
    return fixed;
  }

  if (kind === 'enum') {
    const enumType = parseEnum(json, { name, fullName, aliases }, location, context);
    context.names.set(fullName, enumType);
    return enumType;
  }

  // Registered before its fields are parsed, so that fields may refer to the record itself.
  const record: AvroNamedType = { kind, name, fullName, aliases, fields: [] };
  context.names.set(fullName, record);
  if (!Array.isArray(json.fields)) {
    throw invalid(context, location, `record "${fullName}" needs a "fields" array`);
  }
  const fieldNames = new Set<string>();
  json.fields.forEach((fieldJson, index) => {
    const fieldLocation = `${location}.fields[${index}]`;
    const field = parseField(fieldJson, namespace, fieldLocation, context);
    if (fieldNames.has(field.name)) {
      throw invalid(context, fieldLocation, `record "${fullName}" has two fields "${field.name}"`);
    }
    fieldNames.add(field.name);
    record.fields.push(field);
  });

  return record;
}

function parseEnum(
  json: JsonObject,
  names: { name: string; fullName: string; aliases: string[] },
  location: string,
  context: ParseContext,
): AvroNamedType {
  const symbols = json.symbols;
  if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string' && NAME.test(s))) {
    throw invalid(context, location, `enum "${names.fullName}" needs "symbols" of valid names`);
  }
  if (new Set(symbols).size !== symbols.length) {
    throw invalid(context, location, `enum "${names.fullName}" repeats a symbol`);
  }
  if (json.default !== undefined && !symbols.includes(json.default)) {
    throw invalid(context, location, `enum "${names.fullName}" default is not one of its symbols`);
  }

  const defaultSymbol = typeof json.default === 'string' ? { default: json.default } : {};
  return { kind: 'enum', ...names, symbols: symbols as string[], ...defaultSymbol };
}

function parseField(
  json: unknown,
  namespace: string,
  location: string,
  context: ParseContext,
): AvroField {
  if (!isJsonObject(json)) {
    throw invalid(context, location, 'a field must be an object');
  }
  if (typeof json.name !== 'string' || !NAME.test(json.name)) {
    throw invalid(context, location, 'a field needs a valid "name"');
  }
  if (!('type' in json)) {
    throw invalid(context, location, `field "${json.name}" needs a "type"`);
  }

  const field: AvroField = {
    name: json.name,
    aliases: parseStringList(json.aliases, `${location}.aliases`, context),
    type: parseType(json.type, namespace, `${location}.type`, context),
    hasDefault: 'default' in json,
  };
  if (field.hasDefault) {
    field.default = json.default;
    context.pendingDefaults.push({ field, location: `${location}.default` });
  }

  return field;
}

function parseName(
  json: JsonObject,
  enclosingNamespace: string,
  location: string,
  context: ParseContext,
): { name: string; namespace: string; fullName: string } {
  const rawName = json.name;
  if (typeof rawName !== 'string' || rawName === '') {
    throw invalid(context, location, `a ${json.type as string} needs a "name"`);
  }

  let namespace: string;
  if (rawName.includes('.')) {
    namespace = rawName.slice(0, rawName.lastIndexOf('.'));
  } else if (typeof json.namespace === 'string') {
    namespace = json.namespace;
  } else {
    namespace = enclosingNamespace;
  }
  const name = rawName.slice(rawName.lastIndexOf('.') + 1);
  const parts = namespace === '' ? [name] : [...namespace.split('.'), name];
  if (!parts.every((part) => NAME.test(part))) {
    throw invalid(context, location, `"${rawName}" is not a valid Avro name`);
  }
  if (isPrimitiveName(name)) {
    throw invalid(context, location, `"${name}" is a primitive type name and cannot be defined`);
  }

  return { name, namespace, fullName: namespace === '' ? name : `${namespace}.${name}` };
}

function parseAliases(
  json: JsonObject,
  namespace: string,
  location: string,
  context: ParseContext,
): string[] {
  // A relative alias is relative to the namespace of the name it is an alias for.
  return parseStringList(json.aliases, `${location}.aliases`, context).map((alias) =>
    alias.includes('.') || namespace === '' ? alias : `${namespace}.${alias}`,
  );
}

function parseStringList(value: unknown, location: string, context: ParseContext): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(context, location, 'aliases must be an array of strings');
  }

  return value as string[];
}

/**
 * Reads `logicalType` and, for a valid decimal, its precision and scale. A decimal annotates
 * bytes (any precision) or a fixed (precision limited by its size), nothing else.
 */
function parseLogical(
  json: JsonObject,
  underlying: 'bytes' | 'other' | { fixedSize: number },
): LogicalAnnotation {
  if (typeof json.logicalType !== 'string') {
    return {};
  }

  const logicalType = json.logicalType;
  if (logicalType !== 'decimal' || underlying === 'other') {
    return { logicalType };
  }
  const precision = json.precision;
  const scale = json.scale ?? 0;
  const valid =
    typeof precision === 'number' &&
    Number.isInteger(precision) &&
    precision > 0 &&
    typeof scale === 'number' &&
    Number.isInteger(scale) &&
    scale >= 0 &&
    scale <= precision &&
    (underlying === 'bytes' ||
      (underlying.fixedSize > 0 && precision <= maxDecimalDigits(underlying.fixedSize)));

  return valid ? { logicalType, decimal: { precision, scale } } : { logicalType };
}

/** floor(log10(2^(8n-1) - 1)): the most decimal digits a signed n-byte integer always holds. */
function maxDecimalDigits(sizeInBytes: number): number {
  const largest = 2n ** BigInt(8 * sizeInBytes - 1) - 1n;
  return largest.toString().length - 1;
}

function isPrimitiveName(name: string): name is PrimitiveName {
  return (PRIMITIVE_NAMES as readonly string[]).includes(name);
}

function invalid(context: ParseContext, location: string, problem: string) {
  const where = context.version === undefined ? '' : `${context.version}: `;
  return new SchemaCompatibilityError('SCHEMA_INVALID', `${where}${location}: ${problem}`, {
    location,
    ...(context.version === undefined ? {} : { version: context.version }),
  });
}
