import { describe, expect, it } from 'vitest';
import { qrModules, qrPath } from '../../../../../renderer/src/lib/qr.js';

describe('the address QR code', () => {
  const address = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';

  it('is a square of modules with the three finder patterns in their corners', () => {
    const modules = qrModules(address);
    const size = modules.length;
    expect(size).toBeGreaterThanOrEqual(21);
    expect((size - 17) % 4).toBe(0); // version v has 17 + 4v modules a side
    expect(modules.every((row) => row.length === size)).toBe(true);
    // A finder pattern: a dark 7×7 ring around a light ring around a dark 3×3 core.
    const finder = (top: number, left: number) =>
      Array.from({ length: 7 }, (_, y) => Array.from({ length: 7 }, (_, x) => modules[top + y]![left + x]!));
    const ring = (y: number, x: number) => Math.max(Math.abs(y - 3), Math.abs(x - 3));
    const expected = Array.from({ length: 7 }, (_, y) => Array.from({ length: 7 }, (_, x) => ring(y, x) !== 2));
    for (const [top, left] of [[0, 0], [0, size - 7], [size - 7, 0]] as const) expect(finder(top, left)).toEqual(expected);
  });

  it('encodes another text as another code, and draws each dark module once', () => {
    const a = qrModules(address);
    const b = qrModules(address.toLowerCase());
    expect(a).not.toEqual(b);
    const dark = a.flat().filter(Boolean).length;
    expect(qrPath(a).match(/M/g)).toHaveLength(dark);
    expect(qrPath([[true, false]], 4)).toBe('M4 4h1v1h-1z');
  });
});
