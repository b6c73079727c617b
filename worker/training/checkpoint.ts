/**
 * Checkpoints: a task's networks — each one's weights AND its optimizer's state — in one file, so a
 * restarted trainer continues exactly where it stopped. Runs in the trainer thread. Knows nothing of what
 * the networks are (a GAN's generator and discriminator, a language model's one network).
 *
 * File layout (all integers little-endian):
 *   "AIRTCKPT" · version u32 · header length u32 · sha256(header) 32 B · header (JSON) · body
 * The header holds the caller's meta, every tensor's name/shape/dtype/byte offset in the body, and
 * sha256(body). Both hashes are checked before anything is returned, so a truncated or corrupt file is an
 * error and never half-loaded weights.
 *
 * Tensors are matched by position, never by name: tfjs gives layers and variables process-wide counters
 * (dense_Dense3/kernel), so a rebuilt model has new names, and Adam keeps its moments by position anyway.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { readFileOrNull, writeFileDurably } from '../durable-file.js';
import { trainableVariables } from './gan.js';

const MAGIC = Buffer.from('AIRTCKPT', 'latin1');
/** 2: networks by name. 1 (still read): a GAN's generator and discriminator in fixed fields. */
const VERSION = 2;
const PREFIX_BYTES = MAGIC.length + 4 + 4 + 32;
/** A header lists a few dozen tensors; anything near this is a corrupt length field, not a checkpoint. */
const MAX_HEADER_BYTES = 16 << 20;

// The body is raw float32 in host order; every platform Node and Electron ship for is little-endian.
if (new Uint8Array(Float32Array.of(1).buffer)[3] !== 0x3f) throw new Error('checkpoints assume a little-endian host');

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export interface StoredTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface StoredOptimizer {
  /** tfjs class name, e.g. "Adam"; a checkpoint only restores into the same kind of optimizer. */
  className: string;
  iterations: number;
  /** The optimizer's slots in tfjs `getWeights()` order (Adam: all first moments, then all second moments). */
  state: StoredTensor[];
  /** Adam's running beta1^t and beta2^t. tfjs's setWeights recomputes them with pow(), which can differ in the
   * last bit from the product Adam accumulates; restoring the stored values keeps resumed steps bit-identical. */
  adamPowers: [number, number] | null;
}

export interface StoredNetwork {
  weights: StoredTensor[];
  optimizer: StoredOptimizer;
}

export interface Checkpoint {
  meta: Record<string, unknown>;
  /** In the task's order, by the task's names for its networks. */
  networks: Record<string, StoredNetwork>;
}

/** A network as a task trains it: the model and the optimizer that updates it. */
export interface Trainable {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
}
export type Networks = Record<string, Trainable>;

const tensorEntry = z.strictObject({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
  offset: z.number().int().nonnegative(),
});
type TensorEntry = z.infer<typeof tensorEntry>;
const optimizerEntry = z.strictObject({
  className: z.string(),
  iterations: z.number().int().nonnegative(),
  state: z.array(tensorEntry),
  adamPowers: z.tuple([z.number(), z.number()]).nullable(),
});
const networkEntry = z.strictObject({ weights: z.array(tensorEntry), optimizer: optimizerEntry });
const common = {
  meta: z.record(z.string(), z.unknown()),
  bodyBytes: z.number().int().nonnegative(),
  bodySha256: z.string().regex(/^[0-9a-f]{64}$/),
};
const headerSchema = z.strictObject({ ...common, networks: z.record(z.string(), networkEntry) });
const headerSchemaV1 = z
  .strictObject({
    ...common,
    generator: z.array(tensorEntry),
    discriminator: z.array(tensorEntry),
    optimizers: z.strictObject({ generator: optimizerEntry, discriminator: optimizerEntry }),
  })
  .transform(({ generator, discriminator, optimizers, ...rest }) => ({
    ...rest,
    networks: {
      generator: { weights: generator, optimizer: optimizers.generator },
      discriminator: { weights: discriminator, optimizer: optimizers.discriminator },
    },
  }));

/** The private fields of tfjs's AdamOptimizer that getWeights/setWeights do not round-trip exactly. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { variable: tf.Variable }[];
  accumulatedSecondMoment: { variable: tf.Variable }[];
}

function adamInternals(optimizer: tf.Optimizer): AdamInternals | null {
  if (optimizer.getClassName() !== 'Adam') return null;
  const adam = optimizer as unknown as Partial<AdamInternals>;
  if (!(adam.accBeta1 instanceof tf.Variable && adam.accBeta2 instanceof tf.Variable)) {
    throw new CheckpointError('this tfjs Adam no longer has accBeta1/accBeta2: update checkpoint.ts for it');
  }
  return adam as AdamInternals;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((product, dim) => product * dim, 1);

// ------------------------------------------------------------------------------------------------ capture

/** Reads a live tensor's values into a copy, before the next training step can change them. */
async function capture(name: string, tensor: tf.Tensor): Promise<StoredTensor> {
  if (tensor.dtype !== 'float32') throw new CheckpointError(`${name} is ${tensor.dtype}; checkpoints hold float32`);
  return { name, shape: [...tensor.shape], values: Float32Array.from((await tensor.data()) as Float32Array) };
}

async function captureModel(model: tf.LayersModel): Promise<StoredTensor[]> {
  // `weights` is trainable then non-trainable (batch-norm moving statistics), exactly as setWeights expects.
  return Promise.all(model.weights.map((weight) => capture(weight.originalName, weight.read())));
}

async function captureOptimizer(optimizer: tf.Optimizer, model: tf.LayersModel): Promise<StoredOptimizer> {
  const [iteration, ...slots] = await optimizer.getWeights();
  if (!iteration) throw new CheckpointError(`${optimizer.getClassName()} reported no iteration count`);
  const iterations = (await iteration.tensor.data())[0] as number;
  iteration.tensor.dispose(); // made fresh by getWeights; the slots are the optimizer's own variables
  const state = await Promise.all(slots.map((slot, i) => capture(slot.name || `slot_${i}`, slot.tensor)));
  checkOptimizerState(optimizer.getClassName(), state, model);
  const adam = adamInternals(optimizer);
  const adamPowers: [number, number] | null = adam
    ? [(await adam.accBeta1.data())[0] as number, (await adam.accBeta2.data())[0] as number]
    : null;
  return { className: optimizer.getClassName(), iterations, state, adamPowers };
}

// ------------------------------------------------------------------------------------------------ checks

function checkShapes(what: string, stored: readonly StoredTensor[], expected: readonly (readonly number[])[]): void {
  if (stored.length !== expected.length) {
    throw new CheckpointError(`${what}: checkpoint has ${stored.length} tensors, the model has ${expected.length} (model changed?)`);
  }
  stored.forEach((tensor, i) => {
    const shape = expected[i] as readonly number[];
    if (tensor.shape.length !== shape.length || tensor.shape.some((dim, d) => dim !== shape[d])) {
      throw new CheckpointError(`${what}: tensor ${i} is [${tensor.shape}] in the checkpoint, [${shape}] in the model`);
    }
  });
}

/** Optimizer slots come in whole sets, one tensor per trainable variable in `trainableVariables` order. */
function checkOptimizerState(what: string, state: readonly StoredTensor[], model: tf.LayersModel): void {
  const shapes = trainableVariables(model).map((variable) => variable.shape);
  if (shapes.length === 0 || state.length % shapes.length !== 0) {
    throw new CheckpointError(`${what}: ${state.length} optimizer slots do not fit ${shapes.length} trainable variables`);
  }
  const sets = state.length / shapes.length;
  checkShapes(`${what} state`, state, Array.from({ length: sets }, () => shapes).flat());
}

// ------------------------------------------------------------------------------------------------ save

/**
 * Writes weights and optimizer state atomically (temp file, fsync, rename, fsync the folder): after a crash
 * the path holds either the old checkpoint or the new one. Await it before the next training step.
 */
export async function saveCheckpoint(path: string, meta: object, networks: Networks): Promise<void> {
  await writeFileDurably(path, await captureCheckpoint(meta, networks));
}

/** The checkpoint's bytes, for a caller that wants to know their size before it writes them. */
export async function captureCheckpoint(meta: object, networks: Networks): Promise<Buffer> {
  if (Array.isArray(meta)) throw new CheckpointError('checkpoint meta must be a JSON object, not an array');
  const stored: Record<string, StoredNetwork> = {};
  for (const [name, { model, optimizer }] of Object.entries(networks)) {
    stored[name] = { weights: await captureModel(model), optimizer: await captureOptimizer(optimizer, model) };
  }
  return encodeCheckpoint({ meta: JSON.parse(JSON.stringify(meta)) as Record<string, unknown>, networks: stored });
}

export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  const parts: Float32Array[] = [];
  let bodyBytes = 0;
  const place = (tensors: StoredTensor[]): TensorEntry[] =>
    tensors.map(({ name, shape, values }) => {
      const entry: TensorEntry = { name, shape, dtype: 'float32', offset: bodyBytes };
      parts.push(values);
      bodyBytes += values.byteLength;
      return entry;
    });
  const networks = Object.fromEntries(
    Object.entries(checkpoint.networks).map(([name, { weights, optimizer: { state, ...rest } }]) => [
      name,
      { weights: place(weights), optimizer: { ...rest, state: place(state) } },
    ]),
  );
  const body = Buffer.concat(parts.map((values) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength)));
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const header = Buffer.from(JSON.stringify({ meta: checkpoint.meta, bodyBytes, bodySha256, networks }), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(VERSION, 8);
  prefix.writeUInt32LE(header.length, 12);
  createHash('sha256').update(header).digest().copy(prefix, 16);
  return Buffer.concat([prefix, header, body]);
}

// ------------------------------------------------------------------------------------------------ read

/** The checkpoint at `path`, fully verified; null when there is none. Throws CheckpointError if it is damaged. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  const bytes = await readFileOrNull(path);
  return bytes && decodeCheckpoint(bytes, path);
}

export function decodeCheckpoint(bytes: Buffer, source = 'checkpoint'): Checkpoint {
  const fail = (why: string): never => {
    throw new CheckpointError(`${source}: ${why}`);
  };
  if (bytes.length < PREFIX_BYTES) fail(`truncated (${bytes.length} bytes)`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) fail('not an AIRTIST checkpoint');
  const version = bytes.readUInt32LE(8);
  if (version !== VERSION && version !== 1) fail(`format version ${version} is not supported (expected ${VERSION})`);
  const headerBytes = bytes.readUInt32LE(12);
  if (headerBytes > MAX_HEADER_BYTES) fail(`corrupt header length ${headerBytes}`);
  if (bytes.length < PREFIX_BYTES + headerBytes) fail('truncated inside the header');
  const headerRaw = bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes);
  if (!createHash('sha256').update(headerRaw).digest().equals(bytes.subarray(16, 48))) fail('header is corrupt (sha256 mismatch)');

  let json: unknown;
  try {
    json = JSON.parse(headerRaw.toString('utf8'));
  } catch {
    return fail('header is not JSON');
  }
  const parsed = (version === 1 ? headerSchemaV1 : headerSchema).safeParse(json);
  if (!parsed.success) return fail(`header does not match the format: ${parsed.error.message}`);
  const header = parsed.data;
  const body = bytes.subarray(PREFIX_BYTES + headerBytes);
  if (body.length < header.bodyBytes) fail(`truncated: body has ${body.length} of ${header.bodyBytes} bytes`);
  if (body.length > header.bodyBytes) fail(`${body.length - header.bodyBytes} unexpected bytes after the body`);
  if (createHash('sha256').update(body).digest('hex') !== header.bodySha256) fail('body is corrupt (sha256 mismatch)');

  // Tensors must tile the body exactly, in order: no gaps, no overlaps, nothing past the end.
  let next = 0;
  const load = (entries: TensorEntry[]): StoredTensor[] =>
    entries.map(({ name, shape, offset }) => {
      const byteLength = sizeOf(shape) * 4;
      if (offset !== next) fail(`tensor ${name} is at byte ${offset}, expected ${next}`);
      next += byteLength;
      if (next > body.length) fail(`tensor ${name} runs past the end of the body`);
      const values = new Float32Array(byteLength / 4);
      new Uint8Array(values.buffer).set(body.subarray(offset, offset + byteLength));
      return { name, shape, values };
    });
  const networks: Record<string, StoredNetwork> = {};
  for (const [name, { weights, optimizer: { state, ...rest } }] of Object.entries(header.networks)) {
    networks[name] = { weights: load(weights), optimizer: { ...rest, state: load(state) } };
  }
  const checkpoint: Checkpoint = { meta: header.meta, networks };
  if (next !== body.length) fail(`${body.length - next} body bytes belong to no tensor`);
  return checkpoint;
}

// ------------------------------------------------------------------------------------------------ restore

/**
 * Loads the checkpoint's weights and optimizer state into `networks` (fresh or used ones), by name.
 * Everything is checked against the networks first, so a mismatch throws before anything is overwritten.
 */
export async function restoreCheckpoint(checkpoint: Checkpoint, networks: Networks): Promise<void> {
  const names = Object.keys(networks);
  const stored = Object.keys(checkpoint.networks);
  if (names.length !== stored.length || names.some((name, i) => stored[i] !== name)) {
    throw new CheckpointError(`checkpoint holds networks [${stored}], the task has [${names}] (model changed?)`);
  }
  const pairs = names.map((what) => ({
    what,
    model: networks[what]!.model,
    optimizer: networks[what]!.optimizer,
    weights: checkpoint.networks[what]!.weights,
    state: checkpoint.networks[what]!.optimizer,
  }));
  for (const { what, model, optimizer, weights, state } of pairs) {
    checkShapes(`${what} weights`, weights, model.weights.map((weight) => weight.shape as number[]));
    if (state.className !== optimizer.getClassName()) {
      throw new CheckpointError(`${what}: checkpoint has a ${state.className} optimizer, this one is ${optimizer.getClassName()}`);
    }
    if (state.state.length > 0) checkOptimizerState(`${what} optimizer`, state.state, model);
    if ((state.adamPowers === null) !== (adamInternals(optimizer) === null)) {
      throw new CheckpointError(`${what}: optimizer state lacks Adam's running powers`);
    }
  }
  for (const { model, optimizer, weights, state } of pairs) {
    const values = weights.map(({ shape, values }) => tf.tensor(values, shape, 'float32'));
    try {
      model.setWeights(values); // assignment shares the data; our handles can go
    } finally {
      tf.dispose(values);
    }
    await restoreOptimizer(optimizer, state);
  }
}

async function restoreOptimizer(optimizer: tf.Optimizer, stored: StoredOptimizer): Promise<void> {
  const adam = adamInternals(optimizer);
  // setWeights replaces the slot variables without freeing the old ones: free them here, or they leak.
  if (adam) tf.dispose([...adam.accumulatedFirstMoment, ...adam.accumulatedSecondMoment].map((slot) => slot.variable));
  const iteration = tf.scalar(stored.iterations, 'int32');
  const slots = stored.state.map(({ name, shape, values }) => ({ name, tensor: tf.tensor(values, shape, 'float32') }));
  try {
    await optimizer.setWeights([{ name: 'iter', tensor: iteration }, ...slots]);
  } finally {
    tf.dispose([iteration, ...slots.map((slot) => slot.tensor)]); // the new slot variables hold their own reference
  }
  if (adam && stored.adamPowers) {
    const [beta1Power, beta2Power] = stored.adamPowers;
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(beta1Power));
      adam.accBeta2.assign(tf.scalar(beta2Power));
    });
  }
}
