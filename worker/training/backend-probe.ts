/**
 * Which backend the trainer thread will get, answered without loading TensorFlow.js into the node process:
 * the native packages are optional dependencies, present only where their install succeeded.
 */
import { createRequire } from 'node:module';
import type { BackendName } from '../api/contract.js';

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

export function probeBestBackend(): BackendName {
  if (installed('@tensorflow/tfjs-node-gpu')) return 'node-gpu';
  if (installed('@tensorflow/tfjs-node')) return 'node';
  return 'wasm';
}
