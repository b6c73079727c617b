/**
 * Only the trainer thread loads TensorFlow.js: the node process (ledger, p2p, rounds, API) starts without it,
 * which saves most of a second of every start and the memory of a second copy of the library.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const NODE = fileURLToPath(new URL('../../../dist/worker/node.js', import.meta.url));
const COMMAND = fileURLToPath(new URL('../../../dist/worker/cli/node-command.js', import.meta.url));

describe('the node process', { timeout: 30_000 }, () => {
  it('imports its modules without TensorFlow.js', () => {
    for (const entry of [NODE, COMMAND]) {
      // tfjs-core keeps its engine on the global object as soon as it is imported.
      const script = `await import(${JSON.stringify(entry)}); process.stdout.write(typeof globalThis._tfengine)`;
      const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(loaded, entry).toBe('undefined');
    }
  });
});
