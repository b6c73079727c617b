import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PORT_CHANNEL, RESTART_CHANNEL, type AirtistBridge, type StateInfo } from '../../../worker/api/contract.js';
import { createDispatcher, type Handlers } from '../../../worker/api/dispatch.js';
import { exposeBridge, type RendererPort } from '../../../electron/bridge.js';

const PAUSED: StateInfo = { state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' };

/** The worker end: the real dispatcher behind a real MessagePort, as the lead's worker will have it. */
function workerOn(port: MessagePort) {
  const unimplemented = () => {
    throw new Error('not in this test');
  };
  const handlers = {
    status: unimplemented,
    pause: () => PAUSED,
    resume: unimplemented,
    getSettings: unimplemented,
    setSettings: unimplemented,
    workHistory: unimplemented,
    latestSamples: () => null,
    progressHistory: () => [],
  } as unknown as Handlers;
  const dispatcher = createDispatcher(handlers);
  port.on('message', async (raw) => {
    const reply = await dispatcher.handle(raw);
    if (reply) port.postMessage(reply);
  });
  return { emit: (event: string, data: unknown) => port.postMessage({ kind: 'event', event, data }) };
}

const open: MessagePort[] = [];
function channel() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  return { worker: workerOn(port1), rendererPort: port2 as unknown as RendererPort };
}

function preload(timeoutMs = 1_000) {
  const exposed = new Map<string, unknown>();
  const invoked: string[] = [];
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: async (channel: string) => {
      invoked.push(channel);
      if (channel !== RESTART_CHANNEL) throw new Error(`no handler for ${channel}`);
    },
  });
  exposeBridge({
    contextBridge: { exposeInMainWorld: (key, api) => void exposed.set(key, api) },
    ipcRenderer,
    timeoutMs,
  });
  const bridge = exposed.get('airtist') as AirtistBridge;
  const deliverPort = (port: RendererPort) => ipcRenderer.emit(PORT_CHANNEL, { ports: [port] });
  return { exposed, bridge, deliverPort, ipcRenderer, invoked };
}

describe('preload bridge', () => {
  afterEach(() => {
    for (const port of open.splice(0)) port.close();
  });

  it('exposes only window.airtist with call, on and restartMiner', () => {
    const { exposed, bridge } = preload();
    expect([...exposed.keys()]).toEqual(['airtist']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on', 'restartMiner']);
  });

  it('calls made before the port arrives wait for it', async () => {
    const { bridge, deliverPort } = preload();
    const result = bridge.call('pause', {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    deliverPort(channel().rendererPort);
    await expect(result).resolves.toEqual(PAUSED);
  });

  it('a call with no port at all times out as a plain {code, message}', async () => {
    const { bridge } = preload(50);
    const error = await bridge.call('status', {}).catch((e: unknown) => e);
    expect(error).toEqual({ code: 'TIMEOUT', message: 'status timed out after 50 ms' });
    expect(error).not.toBeInstanceOf(Error); // an Error would lose its code crossing the context bridge
  });

  it('worker errors arrive as plain {code, message}', async () => {
    const { bridge, deliverPort } = preload();
    deliverPort(channel().rendererPort);
    await expect(bridge.call('mine-bitcoin', {})).rejects.toEqual({
      code: 'UNKNOWN_METHOD',
      message: 'unknown method: mine-bitcoin',
    });
    await expect(bridge.call('pause', { now: true })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(bridge.call(42 as unknown as string, {})).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('events arrive until unsubscribed, and survive a new port (worker restart)', async () => {
    const { bridge, deliverPort } = preload();
    const first = channel();
    deliverPort(first.rendererPort);
    const listener = vi.fn();
    const unsubscribe = bridge.on('state', listener);
    first.worker.emit('state', PAUSED);
    await vi.waitFor(() => expect(listener).toHaveBeenCalledWith(PAUSED));

    const second = channel();
    deliverPort(second.rendererPort);
    second.worker.emit('state', { ...PAUSED, reasonText: 'again' });
    await vi.waitFor(() => expect(listener).toHaveBeenCalledTimes(2));
    await expect(bridge.call('latestSamples', {})).resolves.toBeNull();

    unsubscribe();
    second.worker.emit('state', PAUSED);
    await bridge.call('progressHistory', {}); // the event, sent first, has been delivered by now
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('refuses unknown events and non-function listeners', () => {
    const { bridge } = preload();
    expect(() => bridge.on('keystore', () => {})).toThrow(/unknown event/);
    expect(() => bridge.on('state', 'alert(1)' as unknown as () => void)).toThrow(/function/);
  });

  it('asks main to restart the miner on its own channel, and nothing else', async () => {
    const { bridge, invoked } = preload();
    await expect(bridge.restartMiner()).resolves.toBeUndefined();
    expect(invoked).toEqual([RESTART_CHANNEL]);
  });

  it('ignores a port message without a port', async () => {
    const { bridge, ipcRenderer, deliverPort } = preload();
    ipcRenderer.emit(PORT_CHANNEL, { ports: [] });
    deliverPort(channel().rendererPort);
    await expect(bridge.call('pause', {})).resolves.toEqual(PAUSED);
  });
});
