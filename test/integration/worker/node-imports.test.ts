/**
 * Only the trainer thread loads TensorFlow.js: the node process (ledger, p2p, rounds, API) starts without it,
 * which saves most of a second of every start and the memory of a second copy of the library.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const NODE = fileURLToPath(new URL('../../../dist/worker/node.js', import.meta.url));
const COMMAND = fileURLToPath(new URL('../../../dist/worker/cli/node-command.js', import.meta.url));
const LINK = fileURLToPath(new URL('../../../dist/worker/training/trainer-link.js', import.meta.url));

describe('the node process', { timeout: 30_000 }, () => {
  it('imports its modules without TensorFlow.js', () => {
    for (const entry of [NODE, COMMAND]) {
      // tfjs-core keeps its engine on the global object as soon as it is imported.
      const script = `await import(${JSON.stringify(entry)}); process.stdout.write(typeof globalThis._tfengine)`;
      const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(loaded, entry).toBe('undefined');
    }
  });

  it('spawns its trainer thread ahead of its own modules, and a thread nobody took does not hold the process open', () => {
    // The spare loads TensorFlow.js in its thread; the process has nothing else to do and must exit by itself.
    // A file, not -e: a thread inherits the process's flags, and --input-type would fail it at once.
    const dir = mkdtempSync(join(tmpdir(), 'airtist-prespawn-'));
    const script = join(dir, 'prespawn.mjs');
    writeFileSync(
      script,
      `const { prespawnTrainer } = await import(${JSON.stringify(LINK)});
      prespawnTrainer('thread');
      setTimeout(() => process.stdout.write('idle'), 300);`,
    );
    try {
      const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
      expect(out).toBe('idle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
