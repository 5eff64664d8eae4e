export { assertValid, avroType } from './avro-type';
export {
  COMPATIBILITY_MODES,
  DEFAULT_COMPATIBILITY,
  isCompatibilityMode,
  loadCatalog,
  subjectFor,
  type CatalogEntry,
  type CompatibilityMode,
} from './catalog';
export { SchemaCatalogError, type SchemaCatalogErrorCode } from './catalog-errors';
export { createCodec, type Codec, type Decoded } from './codec';
export { SchemaError, type SchemaErrorCode } from './errors';
export { records as schemaRecords, subjects as schemaSubjects } from './generated/records';
export type * from './generated/records';
export {
  createRegistryClient,
  type RegisteredSchema,
  type RegistryClient,
  type RegistryClientOptions,
} from './registry-client';
export { registerCatalog, type RegistrationResult } from './register';
export { frame, unframe } from './wire-format';
export * from './compatibility/index';
