/**
 * One actionable sentence per break. The same break reads differently depending on which
 * schema is the new one: in a BACKWARD check the new schema is the reader, in a FORWARD check
 * it is the writer, and the fix the developer can make is always to the new schema.
 */
import type { BreakRule } from './rules';

/** Which side of the check is the schema being changed, if the caller knows. */
export type Perspective = 'neutral' | 'reader-is-new' | 'reader-is-earlier';

export interface BreakFacts {
  rule: BreakRule;
  /** Description of the writer's type at the path, e.g. `long`, `enum Status`. */
  writerType: string;
  /** Description of the reader's type at the path. */
  readerType: string;
  /** The field (READER_FIELD_MISSING_DEFAULT) or symbol (ENUM_SYMBOL_MISSING) concerned. */
  member?: string;
}

type Phrasebook = Record<Perspective, (facts: BreakFacts) => string>;

const PROMOTIONS = 'int to long/float/double, long to float/double, float to double, string/bytes';

const PHRASES: Record<BreakRule, Phrasebook> = {
  READER_FIELD_MISSING_DEFAULT: {
    neutral: ({ member }) =>
      `The reader's field "${member}" has no default and the writer has no such field; give "${member}" a default in the reader.`,
    'reader-is-new': ({ member }) =>
      `The new schema adds field "${member}" without a default, so records written with the earlier schema cannot be read; give "${member}" a default.`,
    'reader-is-earlier': ({ member }) =>
      `The new schema no longer has field "${member}", which the earlier schema reads without a default; keep the field (renames need the old name as an alias and a default in readers first).`,
  },
  TYPE_MISMATCH: {
    neutral: (f) =>
      f.writerType === 'null'
        ? `The writer may write null here but the reader's ${f.readerType} does not accept null; make the reader a union with null.`
        : `The writer's ${f.writerType} cannot be read as the reader's ${f.readerType}; only the promotions ${PROMOTIONS} are allowed.`,
    'reader-is-new': (f) =>
      f.writerType === 'null'
        ? `The new schema no longer accepts null here (${f.readerType}) but earlier data may hold null; keep null in a union.`
        : `The new schema reads ${f.readerType} where earlier data holds ${f.writerType}, which does not promote to it; keep the type or add a new field.`,
    'reader-is-earlier': (f) =>
      f.writerType === 'null'
        ? `The new schema may write null here but the earlier schema reads ${f.readerType}, which does not accept null; keep the field non-null.`
        : `The new schema writes ${f.writerType} where the earlier schema reads ${f.readerType}, which it does not promote to; keep the type or add a new field.`,
  },
  NAME_MISMATCH: {
    neutral: (f) =>
      `The writer's ${f.writerType} and the reader's ${f.readerType} have different names; add the writer's name to the reader's aliases.`,
    'reader-is-new': (f) =>
      `The new schema renames ${f.writerType} to ${f.readerType}; list the old name in its "aliases".`,
    'reader-is-earlier': (f) =>
      `The new schema renames ${f.readerType} to ${f.writerType}, which readers of the earlier schema cannot match; keep the old name.`,
  },
  FIXED_SIZE_MISMATCH: {
    neutral: (f) =>
      `The writer's ${f.writerType} and the reader's ${f.readerType} differ in size; a fixed size cannot change.`,
    'reader-is-new': (f) =>
      `The new schema changes ${f.writerType} to ${f.readerType}; a fixed size cannot change, so add a new type and field instead.`,
    'reader-is-earlier': (f) =>
      `The new schema changes ${f.readerType} to ${f.writerType}; a fixed size cannot change, so add a new type and field instead.`,
  },
  ENUM_SYMBOL_MISSING: {
    neutral: ({ member, readerType }) =>
      `The writer's symbol "${member}" is not in the reader's ${readerType}, which has no default; add the symbol or an enum default to the reader.`,
    'reader-is-new': ({ member, readerType }) =>
      `The new schema removes symbol "${member}" from ${readerType}, which earlier data may hold; keep the symbol or give the enum a "default".`,
    'reader-is-earlier': ({ member, readerType }) =>
      `The new schema adds symbol "${member}", which readers of the earlier ${readerType} cannot read because it has no "default"; release an enum default before adding symbols.`,
  },
  UNION_BRANCH_MISSING: {
    neutral: (f) =>
      `No branch of the reader's union ${f.readerType} can read the writer's ${f.writerType}; add such a branch to the reader's union.`,
    'reader-is-new': (f) =>
      `The new schema's union ${f.readerType} has no branch for ${f.writerType}, which earlier data may hold; keep a branch for it.`,
    'reader-is-earlier': (f) =>
      `The new schema may write ${f.writerType} here but the earlier schema's union ${f.readerType} has no branch for it; only write types that union accepts.`,
  },
  DECIMAL_SCALE_MISMATCH: {
    neutral: (f) =>
      `The writer's ${f.writerType} and the reader's ${f.readerType} have different scales, so every value would change; keep the scale.`,
    'reader-is-new': (f) =>
      `The new schema changes the decimal from ${f.writerType} to ${f.readerType}, and a new scale changes the value of every number; add a new field instead.`,
    'reader-is-earlier': (f) =>
      `The new schema changes the decimal from ${f.readerType} to ${f.writerType}, and a new scale changes the value of every number; add a new field instead.`,
  },
  DECIMAL_PRECISION_MISMATCH: {
    neutral: (f) =>
      `The writer's ${f.writerType} and the reader's ${f.readerType} have different precisions, and the Avro specification only matches decimals of equal precision; keep the precision.`,
    'reader-is-new': (f) =>
      `The new schema changes the decimal precision from ${f.writerType} to ${f.readerType}, and Avro only matches decimals of equal precision; keep the precision or add a new field.`,
    'reader-is-earlier': (f) =>
      `The new schema changes the decimal precision from ${f.readerType} to ${f.writerType}, and Avro only matches decimals of equal precision; keep the precision or add a new field.`,
  },
};

export function describeBreak(facts: BreakFacts, perspective: Perspective): string {
  return PHRASES[facts.rule][perspective](facts);
}
