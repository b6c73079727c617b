/**
 * Many rounds of the leader's checks on real training (bench/sim-rounds.ts: simulated peers in one process,
 * the real codec, RoundVerifier, scorer and outer step; only the transport left out, which the swarm tests
 * cover): honest peers are never refused over 50 rounds, and four honest peers beside a noise and a
 * sign-flip cheat train a model within 5 % of the four alone, the cheats refused in every round.
 */
import { describe, expect, it } from 'vitest';
import { fd } from '../../../bench/sim-peer.js';
import { SIM_RUN, SIM_SHARDS, simulateRounds } from '../../../bench/sim-rounds.js';
import { DEFAULT_RUN_SPEC } from '../../../worker/rounds/run-spec.js';
import { selectBackend } from '../../../worker/training/backend.js';
import { seededGanWeights } from '../../../worker/training/quality.js';
import { createGanTask } from '../../../worker/training/tasks/gan-task.js';

await selectBackend('wasm');
const theta0 = seededGanWeights('mlp-gan', 'mnist', DEFAULT_RUN_SPEC.seed);
const verifierTask = createGanTask({ model: 'mlp-gan', dataset: 'mnist', runId: SIM_RUN, shard: 0, shardCount: SIM_SHARDS });
const honest = (count: number) => Array.from({ length: count }, () => 'honest' as const);
const describeRefused = (refused: Map<string, number>) => [...refused].map(([what, n]) => `${what} ×${n}`).join(', ') || 'nothing';

/** A guard against a hang, not a speed target: these runs took 185-340 s each here, and CI machines are slower. */
const HANG_GUARD_MS = 1_500_000;

describe('the leader’s checks over many rounds', () => {
  it('refuses no honest contribution in 50 rounds of 4 peers', async () => {
    const outcome = await simulateRounds({ theta0, kinds: honest(4), defended: true, rounds: 50, h: 10, verifierTask });
    expect(outcome.honestTotal).toBe(200);
    expect(outcome.honestRefused, `refused: ${describeRefused(outcome.refused)}`).toBe(0);
  }, HANG_GUARD_MS);

  it('4 honest peers beside a noise and a sign-flip cheat come within 5 % of the 4 alone; the cheats are refused every round', async () => {
    const rounds = 8;
    const alone = await simulateRounds({ theta0, kinds: honest(4), defended: true, rounds, h: 30, verifierTask });
    const mixed = await simulateRounds({ theta0, kinds: [...honest(4), 'noise', 'signflip'], defended: true, rounds, h: 30, verifierTask });
    const refused = describeRefused(mixed.refused);
    const cheatsRefused = [...mixed.refused].filter(([what]) => !what.startsWith('honest')).reduce((sum, [, n]) => sum + n, 0);
    expect(cheatsRefused, refused).toBe(2 * rounds);
    const [before, quality, baseline] = [await fd(theta0), await fd(mixed.theta), await fd(alone.theta)];
    const context = `FD: round 0 ${before.toFixed(1)}, 4 honest ${baseline.toFixed(1)}, with the cheats ${quality.toFixed(1)}; refused ${refused}`;
    expect(baseline, context).toBeLessThan(before * 0.9);
    expect(quality, context).toBeLessThan(baseline * 1.05);
  }, HANG_GUARD_MS);
});
