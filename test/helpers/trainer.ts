/** A trainer config for tests (mlp-gan on wasm, a small batch, no timers firing) and events that ignore everything. */
import type { TrainerConfig } from '../../worker/training/protocol.js';
import type { TrainerEvents } from '../../worker/training/trainer-host.js';

export function testTrainerConfig(checkpointPath: string, overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return {
    checkpointPath,
    runId: 'test-run',
    seed: 'test-run-seed',
    model: 'mlp-gan',
    dataset: 'mnist',
    backend: 'wasm',
    shard: 1,
    shardCount: 8,
    batchSize: 16,
    firstStep: 0,
    sampleIntervalSeconds: 600,
    workUnitSeconds: 3600,
    reserveDiskBytes: 0,
    ...overrides,
  };
}

/** TrainerHost events that do nothing, with the ones a test cares about overridden. */
export function quietEvents(overrides: Partial<TrainerEvents> = {}): TrainerEvents {
  const nothing = () => {};
  return { progress: nothing, samples: nothing, unit: nothing, paused: nothing, resumed: nothing, held: nothing, disk: nothing, warning: nothing, failed: nothing, ...overrides };
}
