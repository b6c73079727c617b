/**
 * What a quality score measures images by: the `FeatureMap` shape, and the fixed pixel features (no trained
 * network) that are the fallback to quality-classifier.ts's learned ones. Pure: no Node, DOM or tfjs.
 */
export interface Features {
  /** n × d, row-major. */
  features: Float32Array;
  d: number;
}

/**
 * Features of `n` NHWC images in [-1, 1], of the image shape the map was made for. Deterministic. Async so
 * that a map may run a network on any tfjs backend (reading results without blocking a GPU backend).
 */
export type FeatureMap = (images: Float32Array, n: number) => Promise<Features>;

/** Side of the square cells the pixel features average over: 28 × 28 → 7 × 7. */
const POOL = 4;

/**
 * The pixel features: per channel, the mean of every POOL × POOL cell (edge cells cover what is left),
 * then per channel and image quadrant the mean |horizontal| and |vertical| difference of neighbouring
 * pixels. 49 + 8 = 57 dims for MNIST. Pooling alone would score blurry noise that has the right mean as a
 * good digit; the gradients tell strokes from speckle.
 */
export function imageFeatures(images: Float32Array, n: number, height: number, width: number, channels: number): Features {
  const size = height * width * channels;
  if (!Number.isInteger(n) || n < 0 || images.length !== n * size) {
    throw new RangeError(`imageFeatures: ${images.length} floats are not ${n} images of ${height}×${width}×${channels}`);
  }
  const cellRows = Math.ceil(height / POOL);
  const cellCols = Math.ceil(width / POOL);
  const pooled = cellRows * cellCols * channels;
  const d = pooled + 8 * channels;
  const features = new Float32Array(n * d);
  const halfRow = Math.ceil(height / 2);
  const halfCol = Math.ceil(width / 2);
  const sums = new Float64Array(d);
  const counts = new Float64Array(d);
  const pixel = (image: number, y: number, x: number, c: number) => images[image * size + (y * width + x) * channels + c]!;

  for (let image = 0; image < n; image++) {
    sums.fill(0);
    counts.fill(0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const quadrant = (y < halfRow ? 0 : 2) + (x < halfCol ? 0 : 1);
        for (let c = 0; c < channels; c++) {
          const value = pixel(image, y, x, c);
          const cell = (Math.floor(y / POOL) * cellCols + Math.floor(x / POOL)) * channels + c;
          sums[cell]! += value;
          counts[cell]! += 1;
          const gradient = pooled + (c * 4 + quadrant) * 2;
          if (x + 1 < width) {
            sums[gradient]! += Math.abs(pixel(image, y, x + 1, c) - value);
            counts[gradient]! += 1;
          }
          if (y + 1 < height) {
            sums[gradient + 1]! += Math.abs(pixel(image, y + 1, x, c) - value);
            counts[gradient + 1]! += 1;
          }
        }
      }
    }
    for (let j = 0; j < d; j++) features[image * d + j] = counts[j]! > 0 ? sums[j]! / counts[j]! : 0;
  }
  return { features, d };
}

/** `imageFeatures` for one image shape, as a `FeatureMap`; one function per shape, so it can key a cache. */
export function pixelFeatureMap(height: number, width: number, channels: number): FeatureMap {
  const key = `${height}x${width}x${channels}`;
  let map = pixelMaps.get(key);
  if (!map) {
    map = async (images, n) => imageFeatures(images, n, height, width, channels);
    pixelMaps.set(key, map);
  }
  return map;
}
const pixelMaps = new Map<string, FeatureMap>();
