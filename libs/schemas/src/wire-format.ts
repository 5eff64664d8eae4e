import { SchemaError } from './errors';

/** Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro body. */
const magicByte = 0;
const headerLength = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(headerLength);
  header.writeUInt8(magicByte, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export function unframe(bytes: Buffer): { schemaId: number; body: Buffer } {
  if (bytes.length < headerLength) {
    throw new SchemaError(
      'NOT_FRAMED',
      `Payload of ${bytes.length} bytes is shorter than the 5-byte Confluent header`,
    );
  }
  if (bytes[0] !== magicByte) {
    throw new SchemaError(
      'NOT_FRAMED',
      `Payload starts with byte ${bytes[0]}, not the Confluent magic byte 0`,
    );
  }
  return { schemaId: bytes.readInt32BE(1), body: bytes.subarray(headerLength) };
}
