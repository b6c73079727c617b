/**
 * Picks the compute backend once, at start: native CUDA → native CPU → WebAssembly → JavaScript.
 * The native packages are optional dependencies; where they could not install, `import()` throws and we fall
 * back to the next one. Runs inside the trainer thread (each thread has its own tfjs engine).
 */
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendName } from '../api/contract.js';
import { registerWasmConvKernels } from './kernels/index.js';

/** How each backend is brought up; `null` means it cannot run here. */
const loaders: Record<BackendName, () => Promise<string | null>> = {
  'node-gpu': () => loadNative('@tensorflow/tfjs-node-gpu'),
  node: () => loadNative('@tensorflow/tfjs-node'),
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    // Stock wasm has no conv weight gradients and a slow conv input gradient: ours make dcgan train here.
    registerWasmConvKernels();
    return 'wasm';
  },
  cpu: async () => 'cpu',
};

async function loadNative(pkg: string): Promise<string | null> {
  try {
    // A variable specifier keeps bundlers and tsc from insisting that the optional package exists.
    await import(pkg);
    return 'tensorflow';
  } catch {
    return null;
  }
}

export class BackendUnavailableError extends Error {}

/**
 * Activates `preferred` (failing clearly if it cannot run here) or the best backend available.
 * Returns the name the API reports.
 */
export async function selectBackend(preferred?: BackendName): Promise<BackendName> {
  const candidates = preferred ? [preferred] : BACKENDS;
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      const tfName = await loaders[name]();
      if (tfName && (await tf.setBackend(tfName))) {
        await tf.ready();
        return name;
      }
      failures.push(`${name}: not installed`);
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new BackendUnavailableError(`no usable compute backend (${failures.join('; ')})`);
}
