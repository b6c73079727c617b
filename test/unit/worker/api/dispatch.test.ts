import { describe, expect, it } from 'vitest';
import { MAX_CALL_BYTES } from '../../../../worker/api/contract.js';
import { ApiRefusal, createDispatcher } from '../../../../worker/api/dispatch.js';
import { fakeHandlers } from './fixtures.js';

describe('createDispatcher', () => {
  const call = (method: string, params: unknown = {}, id = 7) => JSON.stringify({ kind: 'call', id, method, params });

  it('runs a valid call and returns its result under the same id', async () => {
    const dispatcher = createDispatcher(fakeHandlers());
    const reply = await dispatcher.handle(call('status'));
    expect(reply).toMatchObject({ kind: 'result', id: 7, result: { state: 'training', backend: 'wasm' } });
    expect(dispatcher.stats.calls).toBe(1);
  });

  it('accepts structured (MessagePort) messages as well as JSON text', async () => {
    const dispatcher = createDispatcher(fakeHandlers());
    const reply = await dispatcher.handle({ kind: 'call', id: 1, method: 'getSettings', params: {} });
    expect(reply).toMatchObject({ kind: 'result', id: 1, result: { sampleIntervalSeconds: 4 } });
  });

  it('applies schema defaults before the handler runs', async () => {
    const seen: unknown[] = [];
    const handlers = fakeHandlers();
    const dispatcher = createDispatcher({ ...handlers, workHistory: (params) => (seen.push(params), handlers.workHistory(params)) });
    await dispatcher.handle(call('workHistory', {}));
    expect(seen).toEqual([{ limit: 50 }]);
  });

  it.each([
    ['not json', '{nope', 'BAD_MESSAGE'],
    ['a non-object', JSON.stringify(42), 'BAD_MESSAGE'],
    ['a wrong kind', JSON.stringify({ kind: 'result', id: 1 }), 'BAD_MESSAGE'],
    ['a fractional id', JSON.stringify({ kind: 'call', id: 1.5, method: 'status' }), 'BAD_MESSAGE'],
    ['an oversized message', 'x'.repeat(MAX_CALL_BYTES + 1), 'BAD_MESSAGE'],
    ['an unknown method', call('mine_faster'), 'UNKNOWN_METHOD'],
    ['an inherited property as method', call('toString'), 'UNKNOWN_METHOD'],
    ['an unexpected param', call('status', { extra: 1 }), 'INVALID_PARAMS'],
    ['a wrong param type', call('setSettings', { startPaused: 'yes' }), 'INVALID_PARAMS'],
    ['a param out of range', call('workHistory', { limit: 100_000 }), 'INVALID_PARAMS'],
    ['an unknown setting', call('setSettings', { mineHarder: true }), 'INVALID_PARAMS'],
  ])('rejects %s with a plain error and counts it', async (_name, raw, code) => {
    const dispatcher = createDispatcher(fakeHandlers());
    const reply = await dispatcher.handle(raw);
    expect(reply).toMatchObject({ kind: 'error', error: { code } });
    const error = (reply as { error: object }).error;
    expect(Object.keys(error).sort()).toEqual(['code', 'message']);
    expect(dispatcher.stats.rejected[code as 'BAD_MESSAGE']).toBe(1);
    expect(dispatcher.stats.calls).toBe(0);
  });

  it('turns a throwing handler into an INTERNAL error instead of crashing', async () => {
    const logs: string[] = [];
    const dispatcher = createDispatcher(
      { ...fakeHandlers(), status: () => { throw new Error('disk on fire'); } },
      (line) => logs.push(line),
    );
    const reply = await dispatcher.handle(call('status'));
    expect(reply).toEqual({ kind: 'error', id: 7, error: { code: 'INTERNAL', message: 'status failed: disk on fire' } });
    expect(logs.join()).toContain('disk on fire');
  });

  it('answers a refusal as REFUSED in its own words, counted and not logged as a failure', async () => {
    const logs: string[] = [];
    const dispatcher = createDispatcher(
      { ...fakeHandlers(), walletUnlock: () => { throw new ApiRefusal('wrong password (or the keystore was changed)'); } },
      (line) => logs.push(line),
    );
    const reply = await dispatcher.handle(call('walletUnlock', { password: 'whatever1' }));
    expect(reply).toEqual({ kind: 'error', id: 7, error: { code: 'REFUSED', message: 'wrong password (or the keystore was changed)' } });
    expect([dispatcher.stats.rejected.REFUSED, dispatcher.stats.rejected.INTERNAL, logs]).toEqual([1, 0, []]);
  });
});
