/**
 * Whether a field's `default` fits the field's type, by the table in the specification's
 * "Records" section. A reader fills a missing field from its default, so a default that does
 * not fit would make resolution succeed on paper and fail on the first record.
 */
import { isJsonObject } from '../json';
import type { AvroType, PrimitiveName } from './model';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export function isValidDefault(type: AvroType, value: unknown): boolean {
  switch (type.kind) {
    case 'primitive':
      return fitsPrimitive(type.name, value);
    case 'enum':
      return typeof value === 'string' && type.symbols.includes(value);
    case 'fixed':
      return isByteString(value) && value.length === type.size;
    case 'array':
      return Array.isArray(value) && value.every((item) => isValidDefault(type.items, item));
    case 'map':
      return (
        isJsonObject(value) && Object.values(value).every((v) => isValidDefault(type.values, v))
      );
    case 'record':
      // A field left out of a record default takes its own default, so it must have one.
      return (
        isJsonObject(value) &&
        type.fields.every((field) =>
          field.name in value ? isValidDefault(field.type, value[field.name]) : field.hasDefault,
        )
      );
    case 'union':
      // Avro 1.12 lets a union default match any branch; 1.11 and avsc demand the first. The
      // lenient rule is used here because resolution only needs the default to be readable.
      return type.branches.some((branch) => isValidDefault(branch, value));
  }
}

function fitsPrimitive(name: PrimitiveName, value: unknown): boolean {
  switch (name) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
      return (
        Number.isInteger(value) && (value as number) >= INT_MIN && (value as number) <= INT_MAX
      );
    case 'long':
      return Number.isInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'bytes':
      return isByteString(value);
    case 'string':
      return typeof value === 'string';
  }
}

/** Bytes and fixed defaults are strings whose code points 0-255 stand for byte values. */
function isByteString(value: unknown): value is string {
  return typeof value === 'string' && [...value].every((ch) => (ch.codePointAt(0) ?? 256) <= 255);
}
