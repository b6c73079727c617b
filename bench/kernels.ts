/**
 * Conv-gradient kernels at DCGAN sizes for 28×28 images (batch 64, 5×5 kernels):
 * ms per call of our wasm kernels vs the stock cpu backend's kernels and vs the
 * stock wasm Conv2DBackpropInput, all measured in this run (median after warm-up).
 *
 *   node dist/bench/kernels.js        (after tsc -p tsconfig.build.json)
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { pathToFileURL } from 'node:url';
import { displacedWasmKernel, registerWasmConvKernels } from '../worker/training/kernels/index.js';

type Shape4 = [number, number, number, number];

interface Layer {
  name: string;
  x: Shape4; // the conv's input (for a conv2dTranspose layer: its output)
  filter: Shape4;
  stride: number;
}

/**
 * D = discriminator conv, G = generator conv2dTranspose (its forward pass is
 * Conv2DBackpropInput). The first and third rows are the DCGAN of STACK.md
 * (G 0.83 M + D 0.21 M params); the others cover 32 channels and stride 1.
 */
const layers: Layer[] = [
  { name: 'D conv 28→14, 1→64    | G convT 14→28, 64→1', x: [64, 28, 28, 1], filter: [5, 5, 1, 64], stride: 2 },
  { name: 'D conv 14→7, 32→64    | G convT 7→14, 64→32', x: [64, 14, 14, 32], filter: [5, 5, 32, 64], stride: 2 },
  { name: 'D conv 14→7, 64→128   | G convT 7→14, 128→64', x: [64, 14, 14, 64], filter: [5, 5, 64, 128], stride: 2 },
  { name: 'conv 7→7 s1, 128→64   | G convT 7→7 s1, 64→128', x: [64, 7, 7, 128], filter: [5, 5, 128, 64], stride: 1 },
];

/**
 * The stock cpu Conv2DBackpropFilter needs minutes per call at batch 64 (≈ 5 M
 * multiply-adds/s), so the cpu kernels run at this batch and are scaled to 64:
 * both stock kernels loop over the batch, so their time is linear in it.
 */
const CPU_BATCH = 4;

function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** Median ms of `runs` calls after `warmup` calls; a first call over 2 s is taken as the answer (JIT is warm by then). */
function timeIt(fn: () => void, warmup: number, runs: number): number {
  const t = performance.now();
  fn();
  const first = performance.now() - t;
  if (first > 2000) return first;
  for (let i = 1; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

/** Times one registered kernel on the active backend, via the engine like real training does. */
function timeRegistered(kernel: string, inputs: tf.NamedTensorMap, attrs: object, warmup: number, runs: number): number {
  return timeIt(() => tf.dispose(tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor), warmup, runs);
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(7) + ' ms';
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}×`.padStart(7);

const withBatch = (shape: Shape4, batch: number): Shape4 => [batch, shape[1], shape[2], shape[3]];
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export async function run(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmConvKernels();
  const wasm = tf.backend() as BackendWasm;
  const stockInput = displacedWasmKernel(tf.Conv2DBackpropInput);
  stockInput?.setupFunc?.(wasm); // it is unregistered, so the engine no longer sets it up
  const fast = { warmup: 2, runs: 7 }, slow = { warmup: 1, runs: 3 };

  console.log(`conv-gradient kernels, batch 64, 5×5 'same', float32; median ms per call; wasm SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}`);
  console.log(`cpu = stock cpu backend measured at batch ${CPU_BATCH} and scaled ×${64 / CPU_BATCH}; ratio = other / ours\n`);
  for (const l of layers) {
    const batch = l.x[0];
    /** ms per call of both kernels (and the stock wasm input kernel) on `backend` at batch `b`. */
    const measure = async (backend: 'wasm' | 'cpu', b: number, reps: { warmup: number; runs: number }) => {
      await tf.setBackend(backend);
      const xShape = withBatch(l.x, b);
      const dyShape = tf.backend_util.computeConv2DInfo(xShape, l.filter, l.stride, 1, 'same').outShape;
      const x = tf.tensor4d(randomArray(sizeOf(xShape)), xShape), dy = tf.tensor4d(randomArray(sizeOf(dyShape)), dyShape);
      const f = tf.tensor4d(randomArray(sizeOf(l.filter)), l.filter);
      const base = { strides: l.stride, pad: 'same', dataFormat: 'NHWC' };
      const inputAttrs = { ...base, inputShape: xShape };
      const filterMs = timeRegistered(tf.Conv2DBackpropFilter, { x, dy }, { ...base, filterShape: l.filter }, reps.warmup, reps.runs);
      const inputMs = timeRegistered(tf.Conv2DBackpropInput, { dy, filter: f }, inputAttrs, reps.warmup, reps.runs);
      let stockMs = NaN;
      if (backend === 'wasm' && stockInput !== undefined) {
        stockMs = timeIt(() => {
          const out = stockInput.kernelFunc({ inputs: { dy, filter: f }, backend: wasm, attrs: inputAttrs as tf.NamedAttrMap });
          wasm.disposeData((out as tf.TensorInfo).dataId);
        }, slow.warmup, slow.runs);
      }
      tf.dispose([x, f, dy]);
      return { filterMs, inputMs, stockMs, gmac: (sizeOf(dyShape) * l.filter[0] * l.filter[1] * l.filter[2]) / 1e9 };
    };
    const ours = await measure('wasm', batch, fast);
    const cpuSmall = await measure('cpu', CPU_BATCH, slow);
    const scale = batch / CPU_BATCH;
    const cpu = { filterMs: cpuSmall.filterMs * scale, inputMs: cpuSmall.inputMs * scale };
    const gflops = (ms: number) => `${((2 * ours.gmac) / ms * 1e3).toFixed(1)} GFLOP/s`;

    console.log(`${l.name}   x[${l.x}] f[${l.filter}] s${l.stride}, ${ours.gmac.toFixed(2)} GMAC`);
    console.log(`  Conv2DBackpropFilter  ours ${fmt(ours.filterMs)} (${gflops(ours.filterMs)}) | cpu ${fmt(cpu.filterMs)} ` +
      `${ratio(cpu.filterMs, ours.filterMs)} | stock wasm: none (throws)`);
    console.log(`  Conv2DBackpropInput   ours ${fmt(ours.inputMs)} (${gflops(ours.inputMs)}) | cpu ${fmt(cpu.inputMs)} ` +
      `${ratio(cpu.inputMs, ours.inputMs)} | stock wasm ${fmt(ours.stockMs)} ${ratio(ours.stockMs, ours.inputMs)}`);
  }
  await tf.setBackend('wasm');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
