import { defineConfig } from 'vitest/config';

/**
 * Whole swarms of miner processes (or rounds of simulated peers) each load both cores by themselves: run beside
 * other files, their rounds stretch past the timeouts that guard them. They run after everything else, one
 * file at a time.
 */
const SWARMS = ['test/integration/worker/swarm.test.ts', 'test/integration/worker/adversaries.test.ts', 'test/integration/worker/verify-rounds.test.ts'];

const shared = { testTimeout: 30_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'tests',
          include: ['test/**/*.test.ts'],
          exclude: SWARMS,
          // Integration and e2e tests start real nodes and browsers; two cores are all CI has.
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'swarms',
          include: SWARMS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
