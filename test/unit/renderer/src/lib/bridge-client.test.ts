import { describe, expect, it, vi } from 'vitest';
import type { AirtistBridge } from '../../../../../worker/api/contract.js';
import { ApiCallError } from '../../../../../worker/api/rpc-client.js';
import {
  createBridgeClient,
  isAirtistBridge,
  toApiCallError,
} from '../../../../../renderer/src/lib/bridge-client.js';

/** A bridge like the preload's: calls answered by `answer`, events delivered with `emit`. */
function fakeBridge(answer: (method: string, params: unknown) => Promise<unknown>) {
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const bridge: AirtistBridge = {
    call: vi.fn(answer),
    restartMiner: vi.fn(() => Promise.resolve()),
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  const emit = (event: string, data: unknown) => listeners.get(event)?.forEach((listener) => listener(data));
  const count = () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0);
  return { bridge, emit, count };
}

describe('createBridgeClient', () => {
  it('passes method and params through and returns the result', async () => {
    const { bridge } = fakeBridge(async (method) => (method === 'pause' ? { state: 'paused' } : null));
    const client = createBridgeClient(bridge);
    await expect(client.call('pause')).resolves.toEqual({ state: 'paused' });
    await client.call('workHistory', { limit: 5 });
    expect(bridge.call).toHaveBeenNthCalledWith(1, 'pause', {});
    expect(bridge.call).toHaveBeenNthCalledWith(2, 'workHistory', { limit: 5 });
  });

  it('turns a plain {code, message} rejection into an ApiCallError with that code', async () => {
    const { bridge } = fakeBridge(async () => {
      throw { code: 'INVALID_PARAMS', message: 'setSettings: workUnitSeconds: too small' };
    });
    const error = await createBridgeClient(bridge).call('setSettings', { workUnitSeconds: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', message: 'setSettings: workUnitSeconds: too small' });
  });

  it('delivers events and unsubscribes', () => {
    const { bridge, emit, count } = fakeBridge(async () => null);
    const client = createBridgeClient(bridge);
    const seen: unknown[] = [];
    const off = client.on('progress', (point) => seen.push(point.step));
    emit('progress', { step: 7 });
    off();
    off();
    emit('progress', { step: 8 });
    expect(seen).toEqual([7]);
    expect(count()).toBe(0);
  });

  it('leaves nothing subscribed after close and refuses further calls', async () => {
    const { bridge, count } = fakeBridge(async () => null);
    const client = createBridgeClient(bridge);
    client.on('state', () => {});
    client.on('samples', () => {});
    expect(count()).toBe(2);
    client.close();
    expect(count()).toBe(0);
    await expect(client.call('status')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(bridge.call).not.toHaveBeenCalled();
  });
});

describe('toApiCallError', () => {
  it('reads a code from an Error message prefix (contextBridge drops custom Error properties)', () => {
    expect(toApiCallError(new Error('TIMEOUT: status timed out after 10000 ms'))).toMatchObject({
      code: 'TIMEOUT',
      message: 'status timed out after 10000 ms',
    });
    expect(toApiCallError(new Error('Error: UNAVAILABLE: worker restarting'))).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('falls back to INTERNAL for anything else', () => {
    expect(toApiCallError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(toApiCallError(new Error('NOT_A_CODE: x'))).toMatchObject({ code: 'INTERNAL' });
    expect(toApiCallError('gone')).toMatchObject({ code: 'INTERNAL', message: 'gone' });
    expect(toApiCallError(undefined)).toMatchObject({ code: 'INTERNAL' });
  });

  it('keeps an ApiCallError as it is', () => {
    const error = new ApiCallError('UNKNOWN_METHOD', 'nope');
    expect(toApiCallError(error)).toBe(error);
  });
});

describe('isAirtistBridge', () => {
  it('wants call and on functions', () => {
    expect(isAirtistBridge({ call: () => {}, on: () => {} })).toBe(true);
    expect(isAirtistBridge({ call: () => {} })).toBe(false);
    expect(isAirtistBridge(undefined)).toBe(false);
    expect(isAirtistBridge('airtist')).toBe(false);
  });
});
