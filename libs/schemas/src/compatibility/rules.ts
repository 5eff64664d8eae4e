/**
 * The closed set of reasons a reader cannot read a writer's data, one per rule of the "Schema
 * Resolution" section of the Avro specification (1.11 and 1.12 say the same there). Each code
 * names what the reader cannot do, so it reads the same whichever schema is the new one.
 *
 * Where a break is, is given as a path (see `formatPath` in resolve.ts):
 *   OrderPlaced                 the top-level type, by its name without namespace
 *   OrderPlaced.customerId      a record field, by the reader's field name
 *   OrderPlaced.items[]         the items of an array
 *   OrderPlaced.attributes{}    the values of a map
 *   OrderPlaced.note(string)    one branch of a union, by the branch's type name (named types
 *                               without namespace); the writer's branch when the writer has a
 *                               union there, else the reader's branch that was chosen
 * so `OrderPlaced.items[].unitPriceMinor` is the `unitPriceMinor` field of each array item.
 * An unnamed top-level type is labelled by its kind (`array`, `map`, `union`, `string`, ...).
 */
export type BreakRule =
  /** A reader field has no default and the writer has no field by its name or aliases. */
  | 'READER_FIELD_MISSING_DEFAULT'
  /** The writer's type is neither the reader's type nor promotable to it. */
  | 'TYPE_MISMATCH'
  /** Two records, enums or fixed types whose names (unqualified) and reader aliases differ. */
  | 'NAME_MISMATCH'
  /** Two fixed types with the same name but a different size. */
  | 'FIXED_SIZE_MISMATCH'
  /** A writer enum symbol is not in the reader's enum, and the reader's enum has no default. */
  | 'ENUM_SYMBOL_MISSING'
  /** The reader has a union and none of its branches can read the writer's type. */
  | 'UNION_BRANCH_MISSING'
  /** Both sides are decimals with different scales: every value would change meaning. */
  | 'DECIMAL_SCALE_MISMATCH'
  /** Both sides are decimals with different precisions, which the specification forbids. */
  | 'DECIMAL_PRECISION_MISMATCH';

export const BREAK_RULES: readonly BreakRule[] = [
  'READER_FIELD_MISSING_DEFAULT',
  'TYPE_MISMATCH',
  'NAME_MISMATCH',
  'FIXED_SIZE_MISMATCH',
  'ENUM_SYMBOL_MISSING',
  'UNION_BRANCH_MISSING',
  'DECIMAL_SCALE_MISMATCH',
  'DECIMAL_PRECISION_MISMATCH',
];
