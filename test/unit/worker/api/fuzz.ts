/**
 * Seeded random inputs for the API fuzz tests: the same seed gives the same inputs on every run and machine,
 * so a failure names its seed and input and can be replayed.
 */
import { METHODS } from '../../../../worker/api/contract.js';

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast and good enough to pick test inputs. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)]!, chance: (p) => next() < p };
}

/** Keys that mean something to JavaScript itself, and to our contract. */
const NASTY_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'then', 'toJSON', 'length', 'kind', 'id', 'method', 'params'];
const SETTING_KEYS = ['startPaused', 'sampleIntervalSeconds', 'workUnitSeconds', 'limit', 'beforeId'];

const NUMBERS = [0, -0, 1, -1, 0.5, -1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, 600, 601, 3600, 1000, 1001];
const STRINGS = ['', ' ', 'NaN', 'Infinity', '-Infinity', '1e999', '0x10', '9007199254740993', 'null', 'true', 'status', 'STATUS',
  'status ', 'pause', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'é', '𝄞', '\ud800', '\udc00x', '\u0000', '\u2028',
  '%ff', '<script>', '"', '\\', 'a'.repeat(300)];

/** Any JSON-able value, biased towards the shapes and edge cases that break parsers and validators. */
export function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 5 : 9)) {
    case 0: return rng.pick(NUMBERS);
    case 1: return (rng.next() - 0.5) * 10 ** rng.int(20);
    case 2: return rng.pick(STRINGS);
    case 3: return randomString(rng, rng.int(20));
    case 4: return rng.pick([null, true, false]);
    case 5: return deepArray(rng.int(depth > 0 ? 50 : 2000)); // deeper ones cannot go through JSON.stringify
    case 6: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    case 7: return randomObject(rng, depth + 1, NASTY_KEYS);
    default: return randomObject(rng, depth + 1, SETTING_KEYS);
  }
}

/** An object with `key` as an own property even for `__proto__`, as JSON.parse would make it. */
export function randomObject(rng: Rng, depth: number, keys: readonly string[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = rng.int(4); i > 0; i--) {
    Object.defineProperty(object, rng.pick(keys), { value: randomValue(rng, depth), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

export function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Any UTF-16 code units, lone surrogates and control characters included. */
export function randomString(rng: Rng, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    text += String.fromCharCode(rng.pick([rng.int(0x20), 0x20 + rng.int(0x5f), rng.int(0x10000), 0xd800 + rng.int(0x800)]));
  }
  return text;
}

/** A control API call with any field possibly wrong: mostly close to valid, so that validation is reached. */
export function randomCall(rng: Rng, methods: readonly string[] = METHODS): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  const field = (key: string, plausible: () => unknown) => {
    if (rng.chance(0.1)) return; // missing
    const value = rng.chance(0.7) ? plausible() : randomValue(rng);
    Object.defineProperty(message, key, { value, enumerable: true, writable: true, configurable: true });
  };
  field('kind', () => 'call');
  field('id', () => rng.int(1_000_000));
  field('method', () => rng.pick(methods));
  field('params', () => randomObject(rng, 1, SETTING_KEYS));
  if (rng.chance(0.1)) Object.defineProperty(message, rng.pick(NASTY_KEYS), { value: randomValue(rng), enumerable: true });
  return message;
}

/** Text that is rarely a valid call: truncated calls, stray bytes, big numbers, nesting deeper than the stack. */
export function randomText(rng: Rng): string {
  const call = JSON.stringify({ kind: 'call', id: 1, method: 'status', params: {} });
  return rng.pick([
    () => call.slice(0, rng.int(call.length)),
    () => randomString(rng, rng.int(100)),
    () => `{"kind":"call","id":${'9'.repeat(rng.int(400))},"method":"status"}`,
    () => '['.repeat(rng.int(60_000)),
    () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    () => `{"kind":"call","id":1,"method":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    () => `{"kind":"call","id":1,"method":{"toString":${rng.int(2)}},"params":{}}`,
    () => '',
    () => 'undefined',
    () => `{"kind":"call","id":1,"method":"status","params":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
  ])();
}
