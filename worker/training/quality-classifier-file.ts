/**
 * The on-disk cache of a trained quality classifier (see quality-classifier.ts): its flat weights and how it
 * was made, in one checksummed file. Runs in Node (trainer thread, tests, benchmarks).
 *
 * File layout (integers little-endian):
 *   "AIRTQCLS" · format version u32 · header length u32 · sha256(header ‖ body) 32 B · header (JSON) · body
 * The body is the weights as float32. The size is capped before reading, the hash checked before parsing and
 * the header validated by a schema, so a truncated, corrupt or foreign file is an error, never a classifier.
 * The file is a cache: its reader treats any error as "train again".
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { readFileOrNull, writeFileDurably } from '../durable-file.js';
import type { WeightManifest } from './weights.js';

const MAGIC = Buffer.from('AIRTQCLS', 'latin1');
const FORMAT_VERSION = 1;
const PREFIX_BYTES = MAGIC.length + 4 + 4 + 32;
/** A small classifier is about 1 MB; anything far beyond is not one of ours. */
const MAX_FILE_BYTES = 64 << 20;

if (new Uint8Array(Float32Array.of(1).buffer)[3] !== 0x3f) throw new Error('classifier files assume a little-endian host');

export class ClassifierFileError extends Error {
  override name = 'ClassifierFileError';
}

/** What a cached classifier must match to be used: which data, which recipe, which seed. */
export interface ClassifierKey {
  dataset: string;
  /** The recipe (architecture, training schedule, split); bumped whenever any of it changes. */
  version: number;
  seed: string;
  steps: number;
}

export interface StoredClassifier {
  key: ClassifierKey;
  /** [height, width, channels] of the images it reads. */
  shape: [number, number, number];
  classes: number;
  manifest: WeightManifest;
  weights: Float32Array;
  /** Fraction of the held-out split it labels correctly. */
  testAccuracy: number;
  testCount: number;
  trainSeconds: number;
  /** The tfjs backend it was trained on (backends round differently, so weights differ in the last bits). */
  backend: string;
}

const positive = z.number().int().positive();
const headerSchema = z.strictObject({
  key: z.strictObject({ dataset: z.string().max(100), version: positive, seed: z.string().max(1000), steps: positive }),
  shape: z.tuple([positive, positive, positive]),
  classes: positive,
  manifest: z.strictObject({
    tensors: z.array(z.strictObject({ name: z.string().max(200), shape: z.array(positive).max(8) })).max(100),
    size: z.number().int().nonnegative(),
  }),
  testAccuracy: z.number().min(0).max(1),
  testCount: z.number().int().nonnegative(),
  trainSeconds: z.number().nonnegative(),
  backend: z.string().max(100),
  bodyBytes: z.number().int().nonnegative(),
});

export function encodeClassifierFile(classifier: StoredClassifier): Buffer {
  const { weights, ...rest } = classifier;
  if (weights.length !== classifier.manifest.size) {
    throw new ClassifierFileError(`${weights.length} weights do not fill a manifest of ${classifier.manifest.size}`);
  }
  const body = Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);
  const header = Buffer.from(JSON.stringify({ ...rest, bodyBytes: body.length }), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(FORMAT_VERSION, 8);
  prefix.writeUInt32LE(header.length, 12);
  createHash('sha256').update(header).update(body).digest().copy(prefix, 16);
  return Buffer.concat([prefix, header, body]);
}

export function decodeClassifierFile(bytes: Buffer, source = 'classifier file'): StoredClassifier {
  const fail = (why: string): never => {
    throw new ClassifierFileError(`${source}: ${why}`);
  };
  if (bytes.length < PREFIX_BYTES) fail(`truncated (${bytes.length} bytes)`);
  if (bytes.length > MAX_FILE_BYTES) fail(`${bytes.length} bytes is too large`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) fail('not an AIRTIST classifier file');
  const version = bytes.readUInt32LE(8);
  if (version !== FORMAT_VERSION) fail(`format version ${version} is not supported (expected ${FORMAT_VERSION})`);
  const headerBytes = bytes.readUInt32LE(12);
  if (PREFIX_BYTES + headerBytes > bytes.length) fail('truncated inside the header');
  const rest = bytes.subarray(PREFIX_BYTES);
  if (!createHash('sha256').update(rest).digest().equals(bytes.subarray(16, PREFIX_BYTES))) fail('corrupt (sha256 mismatch)');

  let json: unknown;
  try {
    json = JSON.parse(rest.subarray(0, headerBytes).toString('utf8'));
  } catch {
    return fail('header is not JSON');
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) return fail(`header does not match the format: ${parsed.error.message}`);
  const { bodyBytes, ...header } = parsed.data;
  const body = rest.subarray(headerBytes);
  if (body.length !== bodyBytes || bodyBytes !== header.manifest.size * 4) {
    fail(`body has ${body.length} bytes, the header says ${bodyBytes} for ${header.manifest.size} weights`);
  }
  const listed = header.manifest.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  if (listed !== header.manifest.size) fail(`manifest tensors hold ${listed} floats, not ${header.manifest.size}`);
  // Copied into its own buffer: the file's bytes need not be 4-byte aligned.
  const weights = new Float32Array(header.manifest.size);
  new Uint8Array(weights.buffer).set(body);
  return { ...header, weights };
}

/** The classifier stored at `path`, fully verified; null when there is none. */
export async function readClassifierFile(path: string): Promise<StoredClassifier | null> {
  const bytes = await readFileOrNull(path, MAX_FILE_BYTES).catch((error: unknown) => {
    throw error instanceof RangeError ? new ClassifierFileError(error.message) : error;
  });
  return bytes && decodeClassifierFile(bytes, path);
}

/** Writes atomically (temp file, fsync, rename): a reader sees the old file, the new one, or none. */
export async function writeClassifierFile(path: string, classifier: StoredClassifier): Promise<void> {
  await writeFileDurably(path, encodeClassifierFile(classifier));
}
