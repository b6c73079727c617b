import { describe, expect, it } from 'vitest';
import { canonicalJson, DEFAULT_RUN_SPEC, parseRunSpec, runIdOf, type RunSpec } from '../../../../worker/rounds/run-spec.js';

describe('run spec', () => {
  const spec = DEFAULT_RUN_SPEC;

  it('encodes canonically whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const shuffled = Object.fromEntries(Object.entries(spec).reverse()) as RunSpec;
    expect(runIdOf(shuffled)).toBe(runIdOf(spec));
  });

  it('gives every distinct spec its own id, down to a nested field', () => {
    expect(runIdOf(spec)).toMatch(/^[0-9a-f]{32}$/);
    expect(runIdOf({ ...spec, batchSize: 32 })).not.toBe(runIdOf(spec));
    expect(runIdOf({ ...spec, model: 'dcgan' })).not.toBe(runIdOf(spec));
    expect(runIdOf({ ...spec, compression: { ...spec.compression, k: 32 } })).not.toBe(runIdOf(spec));
    expect(runIdOf({ ...spec, seed: 'another' })).not.toBe(runIdOf(spec));
  });

  it('takes a valid spec from outside, and says what is wrong with any other, without throwing', () => {
    expect(parseRunSpec(JSON.parse(JSON.stringify(spec)))).toEqual({ spec });
    expect(parseRunSpec({ ...spec, version: 1 })).toEqual({ error: expect.stringMatching(/^version: /) });
    expect(parseRunSpec({ ...spec, extra: true })).toEqual({ error: expect.stringMatching(/extra|unrecognized/i) });
    expect(parseRunSpec({ ...spec, quorum: { contributions: 0, fraction: 0.5 } })).toEqual({ error: expect.stringMatching(/^quorum\.contributions: /) });
    expect(parseRunSpec({ ...spec, compression: { ...spec.compression, chunk: 8192 } })).toEqual({ error: expect.stringMatching(/^compression\.chunk: /) });
    for (const junk of [null, 42, 'spec', [], { toString: 1 }]) expect(parseRunSpec(junk)).toHaveProperty('error');
  });
});
