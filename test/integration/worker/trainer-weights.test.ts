/**
 * The task's weights across the thread boundary: one flat vector with its manifest, moved (not copied) both
 * ways, read between steps while training runs; a vector of the wrong size is refused and training goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quietEvents, testTrainerConfig } from '../../helpers/trainer.js';

const { TrainerHost } = (await import(new URL('../../../dist/worker/training/trainer-host.js', import.meta.url).href)) as typeof import('../../../worker/training/trainer-host.js');

describe('weights between the node and the trainer thread', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('moves the vector both ways, and refuses one of the wrong size without stopping training', async () => {
    const config = testTrainerConfig(join(dir, 'run.ckpt'));
    let progress = 0;
    const failures: string[] = [];
    const { host } = await TrainerHost.start(
      config,
      quietEvents({ progress: () => void progress++, failed: (message) => void failures.push(message) }),
      false,
      { isolation: 'thread' }, // the thread moves buffers both ways; a trainer process copies them
    );
    try {
      const first = await host.readWeights();
      expect(first.values.length).toBe(first.manifest.size);
      expect(first.manifest.tensors[0]).toEqual({ name: 'generator.0.kernel', shape: [64, 256] });
      // Training moves the weights; reading them again sees that.
      while (progress < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      const trained = await host.readWeights();
      expect(Buffer.from(trained.values.buffer).equals(Buffer.from(first.values.buffer))).toBe(false);

      await host.pause();
      const copy = Float32Array.from(first.values);
      await host.writeWeights(first.values);
      expect(first.values.byteLength).toBe(0); // transferred to the thread, not copied
      const back = await host.readWeights();
      expect(Buffer.from(back.values.buffer).equals(Buffer.from(copy.buffer))).toBe(true);

      await expect(host.writeWeights(new Float32Array(10))).rejects.toThrow(/refused the weights: weights: got 10 floats/);
      const before = progress;
      await host.resume();
      while (progress === before) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(failures).toEqual([]);
    } finally {
      await host.stop();
    }
  });
});
