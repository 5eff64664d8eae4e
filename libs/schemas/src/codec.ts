import type avro from 'avsc';

import { avroType } from './avro-type';
import { SchemaError } from './errors';
import type { RegistryClient } from './registry-client';
import { frame, unframe } from './wire-format';

export interface Decoded {
  schemaId: number;
  /** The writer schema's record full name, e.g. 'eventline.orders.OrderPlaced'. */
  fullName: string;
  value: unknown;
}

export interface Codec {
  /** Avro-encodes a value with `type` and frames it with `schemaId`. */
  encode(schemaId: number, type: avro.Type, value: unknown): Buffer;
  /**
   * Decodes a framed payload with the writer schema its id names (fetched
   * once from the registry). When `readerTypes` has a type for the writer's
   * full name, the value is resolved to that reader schema (Avro schema
   * resolution), so a consumer sees the shape it was built for.
   */
  decode(bytes: Buffer, readerTypes?: ReadonlyMap<string, avro.Type>): Promise<Decoded>;
}

export function createCodec(registry: RegistryClient): Codec {
  const writerTypes = new Map<number, avro.Type>();
  // A resolver belongs to one reader type instance: keyed by it, then by writer id.
  const resolvers = new WeakMap<avro.Type, Map<number, avro.Type>>();

  async function writerType(schemaId: number): Promise<avro.Type> {
    let type = writerTypes.get(schemaId);
    if (!type) {
      const text = await registry.schemaById(schemaId);
      type = avroType(JSON.parse(text));
      writerTypes.set(schemaId, type);
    }
    return type;
  }

  return {
    encode(schemaId, type, value) {
      return frame(schemaId, type.toBuffer(value));
    },

    async decode(bytes, readerTypes) {
      const { schemaId, body } = unframe(bytes);
      const writer = await writerType(schemaId);
      const fullName = writer.name ?? '';
      const reader = readerTypes?.get(fullName);

      try {
        if (!reader) {
          return { schemaId, fullName, value: writer.fromBuffer(body) };
        }
        let byWriter = resolvers.get(reader);
        if (!byWriter) {
          byWriter = new Map();
          resolvers.set(reader, byWriter);
        }
        let resolver = byWriter.get(schemaId);
        if (!resolver) {
          resolver = reader.createResolver(writer) as avro.Type;
          byWriter.set(schemaId, resolver);
        }
        return { schemaId, fullName, value: reader.fromBuffer(body, resolver) };
      } catch (error) {
        throw new SchemaError(
          'UNDECODABLE',
          `Payload with schema id ${schemaId} (${fullName}) does not decode`,
          { cause: error },
        );
      }
    },
  };
}
