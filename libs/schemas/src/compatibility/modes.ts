/**
 * Compatibility modes, with the meaning the Confluent registry API gives them:
 * - BACKWARD: the new schema can read data written with the latest earlier version.
 * - FORWARD: the latest earlier version can read data written with the new schema.
 * - FULL: both.
 * - *_TRANSITIVE: the same, against every earlier version instead of the latest only.
 * - NONE: nothing is checked.
 */
import type { CompatibilityMode } from '../catalog';
import { SchemaCompatibilityError } from '../errors';
import type { AvroType } from './model';
import { parseSchema } from './parse';
import type { ResolutionBreak } from './resolve';
import { resolveSchemas } from './resolve';
import { typeLabel } from './describe';

/** BACKWARD: the new schema was the reader; FORWARD: the earlier version was. */
export type CheckDirection = 'BACKWARD' | 'FORWARD';

export interface EarlierVersionRef {
  /** Position in the `earlierSchemas` argument, 0 for the oldest. */
  index: number;
  /** The caller's label for it (`git 1a2b3c4`, `registry v3`), or `version <index + 1>`. */
  label: string;
}

export interface CompatibilityBreak extends ResolutionBreak {
  against: EarlierVersionRef;
  direction: CheckDirection;
}

export interface CompatibilityReport {
  mode: CompatibilityMode;
  compatible: boolean;
  /** The earlier versions the mode asked to check, oldest first. */
  checked: EarlierVersionRef[];
  breaks: CompatibilityBreak[];
}

export interface CheckOptions {
  /** One label per earlier schema, same order. */
  earlierLabels?: readonly string[];
  /** Label of the new schema in error messages. */
  newLabel?: string;
}

const MODES: Record<
  CompatibilityMode,
  { directions: readonly CheckDirection[]; transitive: boolean }
> = {
  NONE: { directions: [], transitive: false },
  BACKWARD: { directions: ['BACKWARD'], transitive: false },
  BACKWARD_TRANSITIVE: { directions: ['BACKWARD'], transitive: true },
  FORWARD: { directions: ['FORWARD'], transitive: false },
  FORWARD_TRANSITIVE: { directions: ['FORWARD'], transitive: true },
  FULL: { directions: ['BACKWARD', 'FORWARD'], transitive: false },
  FULL_TRANSITIVE: { directions: ['BACKWARD', 'FORWARD'], transitive: true },
};

/**
 * Checks `newSchema` against `earlierSchemas` (oldest first) under `mode`. Schemas are schema
 * JSON as parsed from .avsc text; an invalid one throws SCHEMA_INVALID naming its label.
 */
export function checkCompatibility(
  newSchema: unknown,
  earlierSchemas: readonly unknown[],
  mode: CompatibilityMode,
  options: CheckOptions = {},
): CompatibilityReport {
  const rule = MODES[mode] as (typeof MODES)[CompatibilityMode] | undefined;
  if (rule === undefined) {
    throw new SchemaCompatibilityError(
      'MODE_UNKNOWN',
      `unknown compatibility mode ${JSON.stringify(mode)}; expected one of ${Object.keys(MODES).join(', ')}`,
    );
  }

  const newType = parseSchema(newSchema, { version: options.newLabel ?? 'new schema' });
  const refs = earlierSchemas.map((_, index) => ({
    index,
    label: options.earlierLabels?.[index] ?? `version ${index + 1}`,
  }));
  const checked =
    rule.directions.length === 0 ? [] : rule.transitive ? refs : refs.slice(refs.length - 1);

  const breaks: CompatibilityBreak[] = [];
  for (const against of checked) {
    const earlierType = parseSchema(earlierSchemas[against.index], { version: against.label });
    for (const direction of rule.directions) {
      breaks.push(...checkPair(newType, earlierType, direction, against));
    }
  }

  return { mode, compatible: breaks.length === 0, checked, breaks };
}

function checkPair(
  newType: AvroType,
  earlierType: AvroType,
  direction: CheckDirection,
  against: EarlierVersionRef,
): CompatibilityBreak[] {
  // Paths start with the new schema's name in both directions, so that one field is
  // reported under one path even when a rename is in play.
  const rootLabel = typeLabel(newType);
  const found =
    direction === 'BACKWARD'
      ? resolveSchemas(earlierType, newType, { rootLabel, perspective: 'reader-is-new' })
      : resolveSchemas(newType, earlierType, { rootLabel, perspective: 'reader-is-earlier' });

  return found.map((item) => ({ ...item, against, direction }));
}
