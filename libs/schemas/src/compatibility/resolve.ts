/**
 * Schema resolution as the Avro specification defines it ("Schema Resolution", 1.11/1.12):
 * can data written with the writer's schema be read with the reader's? Instead of stopping at
 * the first problem, every break is collected with the path where it occurs.
 *
 * Choices where the specification leaves room:
 * - A reader field is matched to the writer field of the same name first, then to the first
 *   writer field named by one of the reader field's aliases (as Avro Java's
 *   SchemaCompatibility.lookupWriterField does, which Confluent-API registries run).
 * - Named types match by unqualified name (the specification's words), or when one of the
 *   reader's aliases names the writer's type by full name or, since names themselves are
 *   compared unqualified, by unqualified name; Java accepts the full-name alias only.
 * - A writer union is compatible only if every branch is: the writer may pick any of them.
 * - For a reader union the first branch that matches (same kind and name, or a promotion) is
 *   resolved recursively, as the specification says. If none matches but a branch differs
 *   only in fixed size or decimal attributes, that branch is resolved to report the precise
 *   break instead of a missing branch.
 *
 * Logical types: the specification says a logical type is always encoded exactly as its
 * underlying type and that readers must fall back to that type for logical types they do not
 * know, so a logical type cannot make bytes unreadable, and resolution ignores it. The one
 * exception the specification itself makes is `decimal`: two decimals match only if scale and
 * precision are equal, because the same unscaled integer means another number at another
 * scale. That rule is applied as written, so changing only the precision is a break too.
 * A decimal on one side only resolves like its underlying type, as the specification does not
 * say otherwise.
 */
import { describeType, typeLabel } from './describe';
import type { BreakFacts, Perspective } from './messages';
import { describeBreak } from './messages';
import type {
  AvroArray,
  AvroEnum,
  AvroFixed,
  AvroMap,
  AvroNamedType,
  AvroNonUnion,
  AvroPrimitive,
  AvroRecord,
  AvroType,
  LogicalAnnotation,
  PrimitiveName,
} from './model';
import { isNamed } from './model';
import type { BreakRule } from './rules';

export interface ResolutionBreak extends BreakFacts {
  /** Where the break is, e.g. `OrderPlaced.items[].unitPriceMinor` (format in rules.ts). */
  path: string;
  /** One sentence saying what is wrong and what to change. */
  message: string;
}

export interface ResolveOptions {
  /** The first path segment; defaults to the reader's top-level type label. */
  rootLabel?: string;
  /** Which schema is the new one, to phrase messages as advice on the change. */
  perspective?: Perspective;
}

/** Which primitive types each writer type may be read as, besides itself. */
const PROMOTIONS: Record<PrimitiveName, readonly PrimitiveName[]> = {
  null: [],
  boolean: [],
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  double: [],
  string: ['bytes'],
  bytes: ['string'],
};

/** Every reason `reader` cannot read data written with `writer`; empty when it can. */
export function resolveSchemas(
  writer: AvroType,
  reader: AvroType,
  options: ResolveOptions = {},
): ResolutionBreak[] {
  const resolution = new Resolution(options.perspective ?? 'neutral');
  resolution.resolve(writer, reader, options.rootLabel ?? typeLabel(reader));
  return resolution.breaks;
}

class Resolution {
  readonly breaks: ResolutionBreak[] = [];
  /** Pairs of named types being resolved further up the stack: the guard for recursion. */
  private readonly inProgress = new Map<AvroNamedType, Set<AvroNamedType>>();

  constructor(private readonly perspective: Perspective) {}

  resolve(writer: AvroType, reader: AvroType, path: string): void {
    if (writer.kind !== 'union') {
      this.resolveWriterBranch(writer, reader, path, false);
      return;
    }

    for (const branch of writer.branches as AvroNonUnion[]) {
      this.resolveWriterBranch(branch, reader, `${path}(${typeLabel(branch)})`, true);
    }
  }

  private resolveWriterBranch(
    writer: AvroNonUnion,
    reader: AvroType,
    path: string,
    labelled: boolean,
  ): void {
    if (reader.kind !== 'union') {
      this.resolvePair(writer, reader, path);
      return;
    }

    const branches = reader.branches as AvroNonUnion[];
    const chosen =
      branches.find((branch) => matches(writer, branch)) ??
      branches.find((branch) => resembles(writer, branch));
    if (chosen === undefined) {
      this.report('UNION_BRANCH_MISSING', path, writer, reader);
      return;
    }
    this.resolvePair(writer, chosen, labelled ? path : `${path}(${typeLabel(chosen)})`);
  }

  private resolvePair(writer: AvroNonUnion, reader: AvroNonUnion, path: string): void {
    switch (reader.kind) {
      case 'primitive':
        return this.resolvePrimitive(writer, reader, path);
      case 'record':
        return this.resolveRecord(writer, reader, path);
      case 'enum':
        return this.resolveEnum(writer, reader, path);
      case 'fixed':
        return this.resolveFixed(writer, reader, path);
      case 'array':
        return this.resolveArray(writer, reader, path);
      case 'map':
        return this.resolveMap(writer, reader, path);
    }
  }

  private resolvePrimitive(writer: AvroNonUnion, reader: AvroPrimitive, path: string): void {
    if (writer.kind !== 'primitive' || !promotes(writer.name, reader.name)) {
      this.report('TYPE_MISMATCH', path, writer, reader);
      return;
    }

    this.resolveDecimal(writer, reader, path);
  }

  private resolveRecord(writer: AvroNonUnion, reader: AvroRecord, path: string): void {
    if (writer.kind !== 'record') {
      this.report('TYPE_MISMATCH', path, writer, reader);
      return;
    }
    if (!namesMatch(writer, reader)) {
      this.report('NAME_MISMATCH', path, writer, reader);
      return;
    }
    // Already being resolved further up: whatever breaks it has are reported there.
    if (!this.enter(writer, reader)) {
      return;
    }

    for (const readerField of reader.fields) {
      const fieldPath = `${path}.${readerField.name}`;
      const writerField =
        writer.fields.find((field) => field.name === readerField.name) ??
        writer.fields.find((field) => readerField.aliases.includes(field.name));
      if (writerField !== undefined) {
        this.resolve(writerField.type, readerField.type, fieldPath);
      } else if (!readerField.hasDefault) {
        this.report('READER_FIELD_MISSING_DEFAULT', fieldPath, writer, reader, readerField.name);
      }
    }
    this.leave(writer, reader);
  }

  private resolveEnum(writer: AvroNonUnion, reader: AvroEnum, path: string): void {
    if (writer.kind !== 'enum') {
      this.report('TYPE_MISMATCH', path, writer, reader);
      return;
    }
    if (!namesMatch(writer, reader)) {
      this.report('NAME_MISMATCH', path, writer, reader);
      return;
    }
    // With a default, any unknown writer symbol is read as the default.
    if (reader.default !== undefined) {
      return;
    }

    for (const symbol of writer.symbols) {
      if (!reader.symbols.includes(symbol)) {
        this.report('ENUM_SYMBOL_MISSING', path, writer, reader, symbol);
      }
    }
  }

  private resolveFixed(writer: AvroNonUnion, reader: AvroFixed, path: string): void {
    if (writer.kind !== 'fixed') {
      this.report('TYPE_MISMATCH', path, writer, reader);
      return;
    }
    if (!namesMatch(writer, reader)) {
      this.report('NAME_MISMATCH', path, writer, reader);
      return;
    }
    if (writer.size !== reader.size) {
      this.report('FIXED_SIZE_MISMATCH', path, writer, reader);
      return;
    }

    this.resolveDecimal(writer, reader, path);
  }

  private resolveArray(writer: AvroNonUnion, reader: AvroArray, path: string): void {
    if (writer.kind !== 'array') {
      this.report('TYPE_MISMATCH', path, writer, reader);
      return;
    }

    this.resolve(writer.items, reader.items, `${path}[]`);
  }

  private resolveMap(writer: AvroNonUnion, reader: AvroMap, path: string): void {
    if (writer.kind !== 'map') {
      this.report('TYPE_MISMATCH', path, writer, reader);
      return;
    }

    this.resolve(writer.values, reader.values, `${path}{}`);
  }

  private resolveDecimal(
    writer: AvroNonUnion & LogicalAnnotation,
    reader: AvroNonUnion & LogicalAnnotation,
    path: string,
  ): void {
    if (writer.decimal === undefined || reader.decimal === undefined) {
      return;
    }

    if (writer.decimal.scale !== reader.decimal.scale) {
      this.report('DECIMAL_SCALE_MISMATCH', path, writer, reader);
    }
    if (writer.decimal.precision !== reader.decimal.precision) {
      this.report('DECIMAL_PRECISION_MISMATCH', path, writer, reader);
    }
  }

  private enter(writer: AvroNamedType, reader: AvroNamedType): boolean {
    const readers = this.inProgress.get(writer) ?? new Set<AvroNamedType>();
    if (readers.has(reader)) {
      return false;
    }
    readers.add(reader);
    this.inProgress.set(writer, readers);
    return true;
  }

  private leave(writer: AvroNamedType, reader: AvroNamedType): void {
    this.inProgress.get(writer)?.delete(reader);
  }

  private report(
    rule: BreakRule,
    path: string,
    writer: AvroType,
    reader: AvroType,
    member?: string,
  ): void {
    const facts: BreakFacts = {
      rule,
      writerType: describeType(writer),
      readerType: describeType(reader),
      ...(member === undefined ? {} : { member }),
    };
    this.breaks.push({ ...facts, path, message: describeBreak(facts, this.perspective) });
  }
}

function promotes(writer: PrimitiveName, reader: PrimitiveName): boolean {
  return writer === reader || PROMOTIONS[writer].includes(reader);
}

/** The specification's "match", used to choose a reader union's branch. */
function matches(writer: AvroNonUnion, reader: AvroNonUnion): boolean {
  if (!resembles(writer, reader)) {
    return false;
  }
  if (writer.kind === 'fixed' && reader.kind === 'fixed' && writer.size !== reader.size) {
    return false;
  }
  if (
    (writer.kind === 'primitive' || writer.kind === 'fixed') &&
    (reader.kind === 'primitive' || reader.kind === 'fixed')
  ) {
    return decimalsMatch(writer, reader);
  }

  return true;
}

/** Same kind and name (or a promotion), ignoring fixed sizes and decimal attributes. */
function resembles(writer: AvroNonUnion, reader: AvroNonUnion): boolean {
  if (writer.kind === 'primitive' && reader.kind === 'primitive') {
    return promotes(writer.name, reader.name);
  }
  if (writer.kind !== reader.kind) {
    return false;
  }

  return isNamed(writer) && isNamed(reader) ? namesMatch(writer, reader) : true;
}

function decimalsMatch(writer: LogicalAnnotation, reader: LogicalAnnotation): boolean {
  if (writer.decimal === undefined || reader.decimal === undefined) {
    return true;
  }

  return (
    writer.decimal.scale === reader.decimal.scale &&
    writer.decimal.precision === reader.decimal.precision
  );
}

function namesMatch(writer: AvroNamedType, reader: AvroNamedType): boolean {
  if (writer.name === reader.name) {
    return true;
  }

  return reader.aliases.some(
    (alias) => alias === writer.fullName || alias.slice(alias.lastIndexOf('.') + 1) === writer.name,
  );
}
