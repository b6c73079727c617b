/**
 * Fuzzes the dispatcher and the hub with seeded random messages, every type in every field: each one must
 * resolve to a well-formed reply (or nothing), never throw or reject, and be counted exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode, ReplyMessage, ServerMessage, StateInfo } from '../../../../worker/api/contract.js';
import { createDispatcher, type Handlers } from '../../../../worker/api/dispatch.js';
import { createApiHub } from '../../../../worker/api/hub.js';
import { fakeHandlers } from './fixtures.js';
import { deepArray, randomCall, randomText, randomValue, seededRng, type Rng } from './fuzz.js';

const SEED = 0x5eed;
const COUNT = 2000;
const CODES: ErrorCode[] = ['BAD_MESSAGE', 'UNKNOWN_METHOD', 'INVALID_PARAMS', 'TIMEOUT', 'UNAVAILABLE', 'INTERNAL'];

/** A raw message as some transport could deliver it: JSON text, a structured object, or anything at all. */
function randomRaw(rng: Rng): unknown {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return JSON.stringify(randomCall(rng));
    case 2:
      return randomCall(rng);
    case 3:
      return randomText(rng);
    case 4:
      return randomValue(rng);
    default:
      return rng.pick([
        undefined, null, 10n, Symbol('call'), () => 1, new Date(0), new Map(), Buffer.from('{"kind":"call"}'), new Uint8Array(3),
        { kind: 'call', id: 1, method: deepArray(20_000) },
        { kind: 'call', id: 2, method: { toString: 1 } },
        { kind: 'call', id: 3, method: Object.create(null), params: Object.create(null) },
      ]);
  }
}

/** What went wrong with a reply, or null if it is well formed (and answers the call's own id). */
function problem(raw: unknown, reply: ReplyMessage | null): string | null {
  if (reply === null) return null;
  if (!Number.isSafeInteger(reply.id)) return `id ${String(reply.id)}`;
  try {
    JSON.stringify(reply);
  } catch {
    return 'not sendable';
  }
  if (reply.kind === 'error') {
    const { code, message } = reply.error;
    if (!CODES.includes(code) || typeof message !== 'string' || Object.keys(reply.error).length !== 2) return 'bad error';
  } else if (reply.kind !== 'result' || !('result' in reply)) return 'bad kind';
  const call = typeof raw === 'string' ? parseOrNull(raw) : raw;
  const callId = (call as { kind?: unknown; id?: unknown } | null)?.kind === 'call' ? (call as { id?: unknown }).id : undefined;
  if (Number.isSafeInteger(callId) && !(reply.kind === 'error' && reply.error.code === 'BAD_MESSAGE') && reply.id !== callId) return 'wrong id';
  return null;
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A short label for a failing input that is safe to build from any value. */
function label(index: number, raw: unknown): string {
  return `#${index} ${typeof raw === 'string' ? JSON.stringify(raw.slice(0, 120)) : typeof raw}`;
}

describe('control API fuzz', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it(`dispatcher: ${COUNT} random messages each resolve to a well-formed reply, counted once (seed ${SEED})`, async () => {
    const rng = seededRng(SEED);
    const dispatcher = createDispatcher(fakeHandlers());
    const problems: string[] = [];
    const replies: ReplyMessage[] = [];
    for (let i = 0; i < COUNT; i++) {
      const raw = randomRaw(rng);
      const reply = await dispatcher.handle(raw).catch((error: unknown) => (problems.push(`${label(i, raw)}: rejected ${String(error)}`), null));
      const wrong = problem(raw, reply);
      if (wrong) problems.push(`${label(i, raw)}: ${wrong}`);
      if (reply) replies.push(reply);
    }
    expect(problems.slice(0, 10)).toEqual([]);

    const { calls, rejected } = dispatcher.stats;
    expect(replies).toHaveLength(COUNT);
    expect(calls).toBe(replies.filter((r) => r.kind === 'result').length);
    for (const code of Object.keys(rejected) as Array<keyof typeof rejected>) {
      expect(rejected[code], code).toBe(replies.filter((r) => r.kind === 'error' && r.error.code === code).length);
    }
    // The fake handlers never fail, so nothing may end up INTERNAL; and every kind of outcome was reached.
    expect(rejected.INTERNAL).toBe(0);
    expect(Math.min(calls, rejected.BAD_MESSAGE, rejected.UNKNOWN_METHOD, rejected.INVALID_PARAMS)).toBeGreaterThan(10);
  });

  it('dispatcher: hostile objects and handlers that throw anything become counted INTERNAL errors', async () => {
    const thrown: unknown[] = [
      new Error('disk on fire'),
      { message: { toString: 1 } },
      Object.create(null),
      Symbol('boom'),
      undefined,
      Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('no message'); } }),
      new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } }),
    ];
    let next = 0;
    const throwing = Object.fromEntries(
      Object.keys(fakeHandlers()).map((method) => [method, () => { throw thrown[next++ % thrown.length]; }]),
    ) as unknown as Handlers;
    const logs: string[] = [];
    const dispatcher = createDispatcher(throwing, (line) => logs.push(line));
    const hostile: unknown[] = [
      Object.defineProperty({}, 'kind', { get: () => { throw new Error('getter'); } }),
      { kind: 'call', get id() { throw new Error('getter'); } },
      new Proxy({}, { get: () => { throw new Error('trap'); } }),
      (() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })(),
    ];
    const inputs = [...thrown.map((_, id) => ({ kind: 'call', id, method: 'status', params: {} })), ...hostile];
    for (const raw of inputs) {
      const reply = await dispatcher.handle(raw).catch((error: unknown) => ({ rejected: String(error) }));
      expect(reply).toMatchObject({ kind: 'error', error: { code: 'INTERNAL', message: expect.any(String) } });
    }
    expect(dispatcher.stats.rejected.INTERNAL).toBe(inputs.length);
    expect(dispatcher.stats.calls).toBe(thrown.length);
    expect(logs).toHaveLength(inputs.length);
  });

  it(`hub: answers ${COUNT} random messages on every connection and survives sends that throw`, async () => {
    const rng = seededRng(SEED + 1);
    // A result JSON cannot encode makes the WebSocket transport's send throw, like a socket that just broke.
    const hub = createApiHub({ ...fakeHandlers(), latestSamples: () => ({ step: 10n }) as never });
    const delivered: ServerMessage[] = [];
    const good = hub.connect((message) => {
      JSON.stringify(message);
      delivered.push(message);
    });
    const broken = hub.connect(() => {
      throw new Error('socket gone');
    });
    let unsendable = 0;
    for (let i = 0; i < COUNT; i++) {
      const raw = rng.chance(0.05) ? (unsendable++, JSON.stringify({ kind: 'call', id: i, method: 'latestSamples' })) : randomRaw(rng);
      good.receive(raw);
      broken.receive(raw);
    }
    const state: StateInfo = { state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' };
    hub.publish('state', state);
    // Fake handlers answer synchronously: every reply is out once the microtasks and the rejection checks ran.
    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(unhandled).toEqual([]);
    const { calls, rejected } = hub.dispatcher.stats;
    expect(calls + Object.values(rejected).reduce((a, b) => a + b, 0)).toBe(2 * COUNT);
    // Each connection was offered COUNT replies and one event; whatever did not arrive was counted as dropped.
    expect(hub.dropped + delivered.length).toBe(2 * (COUNT + 1));
    expect(hub.dropped).toBeGreaterThanOrEqual(COUNT + 1 + unsendable);
    expect(delivered).toContainEqual({ kind: 'event', event: 'state', data: state });
    for (const message of delivered) if (message.kind !== 'event') expect(problem(null, message)).toBeNull();
  });
});
