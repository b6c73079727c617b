import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../../../worker/training/data/datasets.js';
import type { ImageDataset } from '../../../../../worker/training/types.js';

const PIXELS = 28 * 28;

/** The package's own numbers for one class file, parsed the slow, obvious way. */
function packageData(pkg: string, file: string): unknown[] {
  const root = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  return (JSON.parse(readFileSync(join(root, file), 'utf8')) as { data: unknown[] }).data;
}

function image(dataset: ImageDataset, index: number): number[] {
  return [...dataset.pixels.subarray(index * PIXELS, (index + 1) * PIXELS)];
}

function loadTimed(name: 'mnist' | 'fashion-mnist'): ImageDataset {
  const started = performance.now();
  const dataset = loadDataset(name);
  console.info(`loadDataset(${name}): ${dataset.count} images in ${(performance.now() - started).toFixed(0)} ms`);
  return dataset;
}

function expectWellFormed(dataset: ImageDataset, count: number): void {
  expect(dataset).toMatchObject({ count, height: 28, width: 28, channels: 1 });
  expect(dataset.pixels).toHaveLength(count * PIXELS);
  expect(dataset.labels).toHaveLength(count);
  let min = Infinity;
  let max = -Infinity;
  for (const value of dataset.pixels) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  expect([min, max]).toEqual([0, 255]);
  expect(new Set(dataset.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
}

describe('loadDataset', () => {
  it('loads the 10,000 MNIST digits, scaled to [-1, 1], and caches them', () => {
    const mnist = loadTimed('mnist');
    expectWellFormed(mnist, 10_000);
    expect(loadDataset('mnist')).toBe(mnist);

    // The first digit of class 0 is the package's first 784 floats (0–1), as bytes.
    const zeros = packageData('mnist', 'src/digits/0.json') as number[];
    const expected = zeros.slice(0, PIXELS).map((v) => Math.round(v * 255));
    expect(image(mnist, 0)).toEqual(expected);
    expect(mnist.labels[0]).toBe(0);
    expect(mnist.labels[zeros.length / PIXELS]).toBe(1); // classes follow each other in label order
  });

  it('loads all 70,000 Fashion-MNIST images, 7,000 per class', () => {
    const fashion = loadTimed('fashion-mnist');
    expectWellFormed(fashion, 70_000);
    const perClass = new Array<number>(10).fill(0);
    for (const label of fashion.labels) perClass[label]! += 1;
    expect(perClass).toEqual(new Array(10).fill(7000));

    // Bytes 0–255; the package's last class ends with an image we must have as our last one.
    const bags = (packageData('fashion-mnist', 'src/clothes/9.json') as number[][]).filter((row) => row.length > 0);
    expect(image(fashion, 69_999)).toEqual(bags.at(-1));
  });
});
