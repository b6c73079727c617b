/**
 * A node whose trainer thread fails mid-run (here: a file takes the place of its checkpoint directory, so no
 * checkpoint can be written) keeps trying to restart it, and once the disk is fixed goes on recording work
 * without gaps or collisions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MinerNode } from '../../../worker/node.js';
import { watchNode } from '../../helpers/node-events.js';

// The built node: its trainer thread is a compiled file (npm test builds first).
const { startNode } = (await import(new URL('../../../dist/worker/node.js', import.meta.url).href)) as typeof import('../../../worker/node.js');

describe('trainer supervision', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-restart-'));
  let node: MinerNode | null = null;
  afterAll(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a failed trainer and keeps numbering work from the ledger', async () => {
    node = await startNode({
      dataDir,
      backend: 'wasm',
      restartPolicy: { initialMs: 200, maxMs: 1000, stableMs: 60_000 },
    });
    const { states, units, until } = watchNode(node);
    await node.hub.dispatcher.handle({ kind: 'call', id: 1, method: 'setSettings', params: { workUnitSeconds: 5 } });

    await until(() => units.length >= 1);
    const checkpoints = join(dataDir, 'checkpoints');
    rmSync(checkpoints, { recursive: true, force: true });
    writeFileSync(checkpoints, 'not a directory');
    await until(() => states.some((s) => s.state === 'error'));
    expect(node.status().reason).toBe('failure');
    const recordedBeforeFailure = units.length;
    // Restarts fail while the disk is broken (backoff 200 ms, 400 ms, ...); the node stays up and says so.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(node.status().state).toBe('error');
    rmSync(checkpoints);

    await until(() => states.at(-1)?.state === 'training' && states.some((s) => s.state === 'error'));
    await until(() => units.length > recordedBeforeFailure);
    // The unit that could not be checkpointed was never recorded; the new thread numbers on from the ledger.
    const sorted = [...units].sort((a, b) => a.stepStart - b.stepStart);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.stepStart).toBe(sorted[i - 1]!.stepEnd);
    expect(node.status().state).toBe('training');
  });
});
