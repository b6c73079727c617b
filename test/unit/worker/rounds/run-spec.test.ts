import { describe, expect, it } from 'vitest';
import { canonicalJson, runIdOf, type RunSpec } from '../../../../worker/rounds/run-spec.js';

describe('run spec', () => {
  const spec: RunSpec = { version: 1, model: 'mlp-gan', dataset: 'mnist', shardCount: 8, batchSize: 64 };

  it('encodes canonically whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const shuffled = { batchSize: 64, shardCount: 8, dataset: 'mnist', model: 'mlp-gan', version: 1 } as RunSpec;
    expect(runIdOf(shuffled)).toBe(runIdOf(spec));
  });

  it('gives every distinct spec its own id', () => {
    expect(runIdOf(spec)).toMatch(/^[0-9a-f]{32}$/);
    expect(runIdOf({ ...spec, batchSize: 32 })).not.toBe(runIdOf(spec));
    expect(runIdOf({ ...spec, model: 'dcgan' })).not.toBe(runIdOf(spec));
  });
});
