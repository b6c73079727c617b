import { describe, expect, it } from 'vitest';
import { isStale } from '../../../build/ensure-built.js';

describe('the build before `npm run node`', () => {
  it('runs only when an output is missing or a source is newer than the oldest output', () => {
    expect(isStale([100, 200], [300, 250])).toBe(false);
    expect(isStale([100, 260], [300, 250])).toBe(true);
    expect(isStale([100], [300, null])).toBe(true);
    expect(isStale([250], [250, 300])).toBe(false);
  });
});
