import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededNoise } from '../../../../worker/training/gan.js';
import { renderSampleGrid } from '../../../../worker/training/images.js';
import { buildGenerator } from '../../../../worker/training/models/mlp-gan.js';
import { readPng } from './png-reader.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A generator whose every pixel is `value`: a dense layer with zero weights and a constant bias. */
function constantGenerator(value: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 28 * 28, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value }) }),
      tf.layers.reshape({ targetShape: [28, 28, 1] }),
    ],
  });
}

describe('renderSampleGrid', () => {
  it('paints an 8×8 grid of 2× upscaled images with 2 px gutters as a grayscale PNG', () => {
    const generator = buildGenerator(64, [28, 28, 1]);
    const noise = seededNoise(64, 64, 'grid');
    const before = tf.memory().numTensors;
    const grid = renderSampleGrid(generator, noise);
    expect(tf.memory().numTensors).toBe(before);
    expect(grid.width).toBe(8 * 56 + 9 * 2);
    expect(grid.height).toBe(grid.width);
    const png = readPng(grid.png);
    expect(png).toMatchObject({ width: grid.width, height: grid.height, channels: 1 });
    tf.dispose([noise]);
    generator.dispose();
  });

  it('maps tanh output −1…1 to black…white, cells between gutters', () => {
    const [white, black] = [constantGenerator(1), constantGenerator(-1)];
    const noise = tf.zeros([4, 4]) as tf.Tensor2D;
    const light = readPng(renderSampleGrid(white, noise, 2).png);
    const dark = readPng(renderSampleGrid(black, noise, 2).png);
    const at = (png: typeof light, x: number, y: number) => png.pixels[y * png.width + x];
    expect(light.width).toBe(2 * 56 + 3 * 2);
    expect(at(light, 2, 2)).toBe(255); // first cell starts after the gutter
    expect(at(dark, 2, 2)).toBe(0);
    expect(at(light, 0, 0)).toBe(at(dark, 0, 0)); // gutter: the same mid-dark shade in both
    expect(at(light, 58, 30)).toBe(at(light, 0, 0)); // gutter between the two columns
    expect(at(light, 60, 60)).toBe(255); // second row, second column
    tf.dispose(noise);
    white.dispose();
    black.dispose();
  });

  it('needs one latent vector per cell', () => {
    const generator = constantGenerator(0);
    const noise = tf.zeros([3, 4]) as tf.Tensor2D;
    expect(() => renderSampleGrid(generator, noise, 2)).toThrow(/needs 4 noise rows/);
    noise.dispose();
  });
});
