import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../../../worker/training/png.js';
import { readPng } from './png-reader.js';

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 37 + 11) % 256);
}

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });

  it('can be computed in pieces', () => {
    const bytes = pattern(1000);
    expect(crc32(bytes.subarray(400), crc32(bytes.subarray(0, 400)))).toBe(crc32(bytes));
  });
});

describe('encodePng', () => {
  it.each([1, 3, 4] as const)('round-trips %i-channel pixels through an independent reader', (channels) => {
    const [width, height] = [7, 5];
    const pixels = pattern(width * height * channels);
    const png = encodePng(pixels, width, height, channels);
    const decoded = readPng(png); // checks signature, every CRC, IHDR fields, and inflates IDAT
    expect(decoded).toMatchObject({ width, height, channels, chunkTypes: ['IHDR', 'IDAT', 'IEND'] });
    expect(Buffer.from(decoded.pixels).equals(Buffer.from(pixels))).toBe(true);
  });

  it('ends with the canonical IEND chunk', () => {
    const png = Buffer.from(encodePng(new Uint8Array(4), 2, 2, 1));
    expect(png.subarray(-12).toString('hex')).toBe('0000000049454e44ae426082');
  });

  it('rejects pixels that do not fit the size', () => {
    expect(() => encodePng(new Uint8Array(5), 2, 2, 1)).toThrow(/expected 4 bytes/);
    expect(() => encodePng(new Uint8Array(0), 0, 0, 1)).toThrow(/bad image size/);
    expect(() => encodePng(new Uint8Array(8), 2, 2, 2 as 1)).toThrow(/channel count/);
  });
});
