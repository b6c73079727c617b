/**
 * The image datasets, read straight from the JSON files inside their npm packages (nothing can be fetched at
 * run time). Runs in the trainer thread.
 *
 * The files are large (Fashion-MNIST: 150 MB of JSON), and JSON.parse would build 70,000 arrays of boxed
 * numbers only to copy them once. Instead a byte scanner reads the numbers into one pixel-byte array, and the
 * dataset keeps those bytes (data/pixels.ts turns a batch into floats): no allocation per pixel, and faster
 * than JSON.parse alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DatasetName } from '../../api/contract.js';
import type { ImageDataset } from '../types.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

interface DatasetSource {
  /** npm package that carries the files. */
  pkg: string;
  /** Folder inside the package with one `<label>.json` per class, each `{"data": [...]}`. */
  folder: string;
  /** Multiplier that brings the stored numbers to 0–255 (MNIST stores 0–1 floats, Fashion-MNIST bytes). */
  toByte: number;
}

const SOURCES: Record<DatasetName, DatasetSource> = {
  mnist: { pkg: 'mnist', folder: 'src/digits', toByte: 255 },
  'fashion-mnist': { pkg: 'fashion-mnist', folder: 'src/clothes', toByte: 1 },
};

const cache = new Map<DatasetName, ImageDataset>();

/**
 * Loads a dataset once per thread; later calls return the same object, whose arrays callers must not modify.
 * Pixels are NHWC bytes 0–255 (see data/pixels.ts), grouped by class in label order.
 */
export function loadDataset(name: DatasetName): ImageDataset {
  const cached = cache.get(name);
  if (cached) return cached;
  const dataset = readDataset(name, SOURCES[name]);
  cache.set(name, dataset);
  return dataset;
}

function readDataset(name: DatasetName, source: DatasetSource): ImageDataset {
  const require = createRequire(import.meta.url);
  const folder = join(dirname(require.resolve(`${source.pkg}/package.json`)), source.folder);
  const labelFiles = readdirSync(folder)
    .filter((file) => /^\d+\.json$/.test(file))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  if (labelFiles.length === 0) throw new Error(`dataset ${name}: no class files in ${folder}`);

  const perClass = labelFiles.map((file) => {
    const path = join(folder, file);
    const bytes = scanPixelBytes(readFileSync(path), source.toByte, path);
    if (bytes.length % PIXELS !== 0) {
      throw new Error(`dataset ${name}: ${path} holds ${bytes.length} pixels, not a whole number of images`);
    }
    return { label: parseInt(file, 10), bytes };
  });

  const count = perClass.reduce((sum, part) => sum + part.bytes.length / PIXELS, 0);
  // One compact array: each scan's buffer is half its file's size, and a view would keep it alive.
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let image = 0;
  for (const { label, bytes } of perClass) {
    pixels.set(bytes, image * PIXELS);
    labels.fill(label, image, image + bytes.length / PIXELS);
    image += bytes.length / PIXELS;
  }
  return { name, count, height: SIDE, width: SIDE, channels: 1, pixels, labels };
}

/** Bytes that may sit between numbers: JSON structure and whitespace. */
const SEPARATOR = new Uint8Array(256);
for (const char of ',[]:} \n\r\t') SEPARATOR[char.charCodeAt(0)] = 1;
const DOT = 0x2e;

/**
 * Every number after the `"data"` key, as a pixel byte (value × toByte, rounded). Brackets and commas only
 * separate numbers: the files are flat per class (MNIST) or one array per image (Fashion-MNIST, whose last
 * array is empty), and the caller checks that the total is a whole number of images. Anything that is not
 * a plain decimal or a separator (a sign, an exponent, a string) is rejected rather than misread.
 */
function scanPixelBytes(json: Buffer, toByte: number, path: string): Uint8Array {
  const start = json.indexOf('"data"');
  if (start < 0) throw new Error(`${path}: no "data" key`);
  // Every number takes at least one digit and one separator, so half the length always suffices.
  const out = new Uint8Array((json.length >>> 1) + 1);
  const end = json.length;
  let count = 0;
  let i = start + 6;
  // Tight inner loops per number run about twice as fast as one state machine over every byte.
  while (i < end) {
    let digit = (json[i] as number) - 0x30;
    if (digit >= 0 && digit <= 9) {
      let mantissa = digit;
      let divisor = 1;
      while (++i < end && (digit = (json[i] as number) - 0x30) >= 0 && digit <= 9) mantissa = mantissa * 10 + digit;
      if (i < end && json[i] === DOT) {
        while (++i < end && (digit = (json[i] as number) - 0x30) >= 0 && digit <= 9) {
          mantissa = mantissa * 10 + digit;
          divisor *= 10;
        }
      }
      const value = Math.round((mantissa / divisor) * toByte);
      if (value > 255) throw new Error(`${path}: pixel value out of range before byte ${i}`);
      out[count++] = value;
    } else if (SEPARATOR[json[i] as number] === 1) {
      i++;
    } else {
      const char = String.fromCharCode(json[i] as number);
      throw new Error(`${path}: unexpected character ${JSON.stringify(char)} at byte ${i}`);
    }
  }
  return out.subarray(0, count);
}
