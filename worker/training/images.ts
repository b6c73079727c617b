/** Paints a grid of generated images for the UI ("what the network is painting"). Runs in the trainer thread. */
import * as tf from '@tensorflow/tfjs';
import { generateImages } from './gan.js';
import { encodePng } from './png.js';

/** Pixels between cells and around the edge. */
const GUTTER = 2;
/** Each generated pixel becomes SCALE × SCALE screen pixels: 28 px digits are too small to judge at 1×. */
const SCALE = 2;
/** Mid-dark gray: separates cells without competing with the white strokes on black. */
const GUTTER_SHADE = 48;

export interface SampleGrid {
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * A `grid × grid` mosaic of the generator's images for `noise` (which must hold grid² latent vectors; keep
 * it fixed so successive grids show the same "ideas" improving). Grayscale for one channel, RGB for three.
 */
export function renderSampleGrid(generator: tf.LayersModel, noise: tf.Tensor2D, grid = 8): SampleGrid {
  if (noise.shape[0] !== grid * grid) throw new RangeError(`a ${grid}×${grid} grid needs ${grid * grid} noise rows, got ${noise.shape[0]}`);
  const images = generateImages(generator, noise);
  const [, rows, cols, channels] = images.shape;
  let values: Float32Array;
  try {
    if (channels !== 1 && channels !== 3) throw new RangeError(`cannot paint images with ${channels} channels`);
    values = images.dataSync() as Float32Array;
  } finally {
    images.dispose();
  }

  const cellHeight = rows * SCALE;
  const cellWidth = cols * SCALE;
  const width = grid * cellWidth + (grid + 1) * GUTTER;
  const height = grid * cellHeight + (grid + 1) * GUTTER;
  const pixels = new Uint8Array(width * height * channels).fill(GUTTER_SHADE);
  const imageSize = rows * cols * channels;

  for (let cell = 0; cell < grid * grid; cell++) {
    const left = GUTTER + (cell % grid) * (cellWidth + GUTTER);
    const top = GUTTER + Math.floor(cell / grid) * (cellHeight + GUTTER);
    for (let y = 0; y < cellHeight; y++) {
      const source = cell * imageSize + Math.floor(y / SCALE) * cols * channels;
      const target = ((top + y) * width + left) * channels;
      for (let x = 0; x < cellWidth; x++) {
        const from = source + Math.floor(x / SCALE) * channels;
        for (let c = 0; c < channels; c++) {
          // tanh output [-1, 1] → [0, 255]; the Uint8Array store truncates, so add 0.5 to round.
          const value = ((values[from + c] as number) + 1) * 127.5 + 0.5;
          pixels[target + x * channels + c] = value < 0 ? 0 : value > 255 ? 255 : value;
        }
      }
    }
  }
  return { png: encodePng(pixels, width, height, channels), width, height };
}
