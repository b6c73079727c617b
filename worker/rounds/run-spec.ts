/**
 * A run is everything peers must agree on to train the same network together: the task and its data, the
 * seed its round-0 weights come from, the round's length and inner steps, both optimizers, the compression,
 * the aggregation, the quorum and the reward emission. Its id is the hash of its canonical encoding, so two peers with the same
 * spec compute the same id without talking. The default run is built into the app, so every fresh install
 * joins the same network. A spec that arrives from a peer is parsed strictly (`parseRunSpec`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DATASETS, MODELS } from '../api/contract.js';
import { DEFAULT_EMISSION, emissionSchema } from '../rewards/emission.js';

const positive = z.number().int().positive();
const fraction = z.number().gt(0).lte(1);

export const runSpecSchema = z.strictObject({
  /** Bumped when the meaning of a field changes. */
  version: z.literal(2),
  task: z.literal('gan'),
  model: z.enum(MODELS),
  dataset: z.enum(DATASETS),
  shardCount: positive.max(4096),
  batchSize: positive.max(4096),
  /** Round-0 weights are drawn from this in plain JS (see training/weights.ts). */
  seed: z.string().min(1).max(128),
  round: z.strictObject({
    seconds: positive.max(86_400),
    /** At most this many inner steps per round (H). */
    maxInnerSteps: positive.max(100_000),
  }),
  innerOptimizer: z.strictObject({ name: z.literal('adam'), lr: z.number().positive(), beta1: fraction, beta2: fraction, epsilon: z.number().positive() }),
  outerOptimizer: z.strictObject({ name: z.literal('nesterov'), lr: z.number().positive(), momentum: z.number().min(0).lt(1) }),
  compression: z.strictObject({ name: z.literal('sparseloco'), chunk: positive.max(4096), k: positive.max(4096), beta: z.number().min(0).lte(1) }),
  aggregation: z.discriminatedUnion('name', [z.strictObject({ name: z.literal('mean') }), z.strictObject({ name: z.literal('median-norm') })]),
  /** A round closes early once this many contributions are in, or this share of the active peers. */
  quorum: z.strictObject({ contributions: positive.max(10_000), fraction }),
  /** The mining emission and its split (worker/rewards/): what every peer credits, to the wei. */
  rewards: emissionSchema,
});
export type RunSpec = z.infer<typeof runSpecSchema>;

/** The network every fresh install joins. */
export const DEFAULT_RUN_SPEC: RunSpec = {
  version: 2,
  task: 'gan',
  model: 'mlp-gan',
  dataset: 'mnist',
  shardCount: 8,
  batchSize: 64,
  seed: 'airtist-mainnet-1',
  round: { seconds: 120, maxInnerSteps: 100 },
  innerOptimizer: { name: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 },
  outerOptimizer: { name: 'nesterov', lr: 0.7, momentum: 0.9 },
  compression: { name: 'sparseloco', chunk: 4096, k: 64, beta: 0.95 },
  aggregation: { name: 'mean' },
  quorum: { contributions: 3, fraction: 0.66 },
  rewards: DEFAULT_EMISSION,
};

/** A spec from outside (a peer, a file): the spec, or why not. Never throws. */
export function parseRunSpec(value: unknown): { spec: RunSpec } | { error: string } {
  const parsed = runSpecSchema.safeParse(value);
  if (parsed.success) return { spec: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') || 'spec'}: ${issue?.message ?? 'invalid'}` };
}

/** JSON with object keys sorted at every level: the same spec always encodes to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hex sha256 of the canonical spec, shortened to 16 bytes: ample against collisions between runs. */
export function runIdOf(spec: RunSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 32);
}
