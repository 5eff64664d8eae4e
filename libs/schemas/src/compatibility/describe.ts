/** Short, stable descriptions of types for paths and messages. */
import type { AvroType } from './model';

/** The label of a type inside a path or a union: its kind, or its name without namespace. */
export function typeLabel(type: AvroType): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'record':
    case 'enum':
    case 'fixed':
      return type.name;
    case 'array':
    case 'map':
    case 'union':
      return type.kind;
  }
}

/** e.g. `long (timestamp-millis)`, `record Address`, `array<string>`, `[null, string]`. */
export function describeType(type: AvroType): string {
  switch (type.kind) {
    case 'primitive':
      return `${type.name}${describeLogical(type)}`;
    case 'record':
    case 'enum':
      return `${type.kind} ${type.name}`;
    case 'fixed':
      return `fixed ${type.name}(${type.size})${describeLogical(type)}`;
    case 'array':
      return `array<${describeType(type.items)}>`;
    case 'map':
      return `map<${describeType(type.values)}>`;
    case 'union':
      return `[${type.branches.map(typeLabel).join(', ')}]`;
  }
}

function describeLogical(type: {
  logicalType?: string;
  decimal?: { precision: number; scale: number };
}) {
  if (type.decimal !== undefined) {
    return ` (decimal(${type.decimal.precision},${type.decimal.scale}))`;
  }

  return type.logicalType === undefined ? '' : ` (${type.logicalType})`;
}
