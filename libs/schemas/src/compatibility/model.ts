/**
 * The parsed form of an Avro schema that resolution works on. Named types are shared objects:
 * every reference to `Address` inside a schema points at the same `AvroRecord`, so a recursive
 * schema is a cyclic graph and object identity tells two uses of one type apart from two types.
 */

export type PrimitiveName =
  'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export const PRIMITIVE_NAMES: readonly PrimitiveName[] = [
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
];

/**
 * A `decimal` logical type with valid attributes. The specification says an invalid decimal
 * (scale above precision, precision below one) is ignored and read as its underlying type, so
 * the parser leaves `decimal` unset in that case.
 */
export interface DecimalAnnotation {
  precision: number;
  scale: number;
}

export interface LogicalAnnotation {
  /** The `logicalType` attribute as written, e.g. `timestamp-millis`. */
  logicalType?: string;
  decimal?: DecimalAnnotation;
}

export interface AvroPrimitive extends LogicalAnnotation {
  kind: 'primitive';
  name: PrimitiveName;
}

export interface NamedTypeBase {
  /** The name without its namespace, e.g. `Address`. */
  name: string;
  /** e.g. `eventline.orders.Address`. */
  fullName: string;
  /** Aliases as full names, resolved against the type's own namespace. */
  aliases: string[];
}

export interface AvroField {
  name: string;
  aliases: string[];
  type: AvroType;
  /** `default` is only meaningful when this is true: `null` is a legitimate default. */
  hasDefault: boolean;
  default?: unknown;
}

export interface AvroRecord extends NamedTypeBase {
  kind: 'record';
  fields: AvroField[];
}

export interface AvroEnum extends NamedTypeBase {
  kind: 'enum';
  symbols: string[];
  /** The symbol a reader uses for a writer symbol it does not know. */
  default?: string;
}

export interface AvroFixed extends NamedTypeBase, LogicalAnnotation {
  kind: 'fixed';
  size: number;
}

export interface AvroArray {
  kind: 'array';
  items: AvroType;
}

export interface AvroMap {
  kind: 'map';
  values: AvroType;
}

export interface AvroUnion {
  kind: 'union';
  branches: AvroType[];
}

export type AvroNamedType = AvroRecord | AvroEnum | AvroFixed;
export type AvroType = AvroPrimitive | AvroNamedType | AvroArray | AvroMap | AvroUnion;
/** Unions may not directly contain unions, so a union's branch is always one of these. */
export type AvroNonUnion = Exclude<AvroType, AvroUnion>;

export function isNamed(type: AvroType): type is AvroNamedType {
  return type.kind === 'record' || type.kind === 'enum' || type.kind === 'fixed';
}
