/** The saved round state: what goes in comes out to the bit, and a damaged or truncated file is refused. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { decodeRoundState, encodeRoundState, loadRoundState, saveRoundState, type RoundState } from '../../../../worker/rounds/round-state.js';

const vector = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 43758.5453 % 1);
const sample = (commit: Uint8Array | null = new Uint8Array([1, 2, 3])): RoundState => ({
  runId: 'ab'.repeat(16),
  round: 7,
  theta: vector(1000, 1),
  momentum: vector(1000, 2),
  error: vector(1000, 3),
  commit,
});

describe('round state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-round-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every field, with and without a commit', async () => {
    for (const state of [sample(), sample(null)]) {
      const path = join(dir, 'run.state');
      await saveRoundState(path, state);
      expect(await loadRoundState(path)).toEqual(state);
    }
    expect(await loadRoundState(join(dir, 'missing.state'))).toBeNull();
  });

  it('refuses a file with any byte changed, cut short, or extended', () => {
    const bytes = encodeRoundState(sample());
    for (const at of [0, 5, 30, bytes.length - 40, bytes.length - 1]) {
      const damaged = Uint8Array.from(bytes);
      damaged[at]! ^= 0x10;
      expect(() => decodeRoundState(damaged), `byte ${at}`).toThrow(CodecError);
    }
    expect(() => decodeRoundState(bytes.subarray(0, bytes.length - 1))).toThrow(CodecError);
    expect(() => decodeRoundState(new Uint8Array([...bytes, 0]))).toThrow(CodecError);
  });

  it('loads the damaged file as an error the caller can handle, not a crash', async () => {
    const path = join(dir, 'damaged.state');
    await saveRoundState(path, sample());
    const bytes = readFileSync(path);
    bytes[100]! ^= 1;
    writeFileSync(path, bytes);
    await expect(loadRoundState(path)).rejects.toThrow(/checksum/);
  });
});
