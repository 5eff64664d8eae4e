/** Avro schema compatibility: resolution by the specification, modes, history readers. */
export { BREAK_RULES } from './rules';
export type { BreakRule } from './rules';
export { SchemaCompatibilityError } from '../errors';
export type { SchemaCompatibilityErrorCode, SchemaCompatibilityErrorDetails } from '../errors';
export { parseSchema } from './parse';
export type { ParseOptions } from './parse';
export type * from './model';
export { resolveSchemas } from './resolve';
export type { ResolutionBreak, ResolveOptions } from './resolve';
export type { BreakFacts, Perspective } from './messages';
export { checkCompatibility } from './modes';
export type {
  CheckDirection,
  CheckOptions,
  CompatibilityBreak,
  CompatibilityReport,
  EarlierVersionRef,
} from './modes';
export { gitTopLevel, isShallowRepository, readGitVersions } from './git-history';
export type { GitHistoryOptions, GitVersion } from './git-history';
export { readRegisteredVersions } from './registry-versions';
export type { RegisteredVersion, RegistryReadOptions } from './registry-versions';
export { formatBreakLine, formatSummary, formatText, toJsonReport } from './report-format';
export type { CatalogCheck, SubjectCheck } from './report-format';
