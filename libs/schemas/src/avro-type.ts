import avro from 'avsc';

import { SchemaError } from './errors';

/**
 * timestamp-millis values are `Date` in TypeScript (the generated types say
 * so) and a long of epoch milliseconds on the wire.
 */
class TimestampMillisType extends avro.types.LogicalType {
  override _fromValue(value: unknown): Date {
    return new Date(value as number);
  }

  override _toValue(value: unknown): number | undefined {
    return value instanceof Date ? value.getTime() : undefined;
  }

  override _resolve(type: avro.Type): ((value: unknown) => Date) | undefined {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) {
      return (value) => this._fromValue(value);
    }
    return undefined;
  }
}

const logicalTypes = { 'timestamp-millis': TimestampMillisType };

/** An avsc type for a parsed schema, with this platform's logical types. */
export function avroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { logicalTypes });
}

/**
 * Throws INVALID_VALUE naming the first field that does not match the schema,
 * e.g. `OrderPlaced.lines[0].quantity: expected int, got "two"`.
 */
export function assertValid(type: avro.Type, value: unknown): void {
  let firstPath: string | undefined;
  let firstProblem = '';

  type.isValid(value, {
    errorHook(path: string[], any: unknown, fieldType: avro.Type) {
      if (firstPath !== undefined) {
        return;
      }
      firstPath = formatPath(path);
      firstProblem = `expected ${describeType(fieldType)}, got ${describeValue(any)}`;
    },
  });

  if (firstPath === undefined) {
    return;
  }
  const record = type.name ?? 'value';
  throw new SchemaError('INVALID_VALUE', `${record}.${firstPath}: ${firstProblem}`, {
    fieldPath: firstPath,
  });
}

function formatPath(path: string[]): string {
  return path.reduce((out, part) => {
    if (/^\d+$/.test(part)) {
      return `${out}[${part}]`;
    }
    return out === '' ? part : `${out}.${part}`;
  }, '');
}

function describeType(type: avro.Type): string {
  const logical = (type as { typeName?: string }).typeName;
  return type.name ?? logical ?? 'a valid value';
}

function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing (the field is missing)';
  }
  if (value instanceof Date) {
    return `Date ${value.toISOString()}`;
  }
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
