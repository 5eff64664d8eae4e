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
export { createCodec, type Codec, type Decoded } from './codec';
export {
  SchemaCatalogError,
  SchemaError,
  type SchemaCatalogErrorCode,
  type SchemaErrorCode,
} from './errors';
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
export { canonicalJson, isJsonObject, type JsonObject } from './json';
