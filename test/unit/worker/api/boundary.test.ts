/** Every method and every event through a real MessageChannel: the channel Electron's ports behave like. */
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, EVENTS, METHODS, type ApiClient, type Events, type ServerMessage } from '../../../../worker/api/contract.js';
import { createApiHub } from '../../../../worker/api/hub.js';
import { servePort } from '../../../../worker/api/port-server.js';
import { ApiCallError, createRpcClient } from '../../../../worker/api/rpc-client.js';
import { fakeHandlers, sampleNetwork, sampleStatus, sampleTransaction, sampleUnit, sampleWallet } from './fixtures.js';

const sampleEvents: Events = {
  progress: { step: 1, samplesPerSecond: 2, microBatch: 8, losses: { discriminator: 3, generator: 4 }, time: 5 },
  samples: { step: 1, pngBase64: 'AAAA', width: 2, height: 2, time: 3 },
  state: { state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' },
  work: sampleUnit(),
  network: sampleNetwork(),
  wallet: sampleWallet(),
  transaction: sampleTransaction(),
  settings: { ...DEFAULT_SETTINGS, quietMode: true },
};

/** Valid params for the methods that need some. */
const PARAMS: Partial<Record<string, object>> = {
  setSettings: { sampleIntervalSeconds: 9 },
  pauseFor: { minutes: 60 },
  reportSignals: { idleSeconds: 3 },
  walletCreate: { password: 'correct horse' },
  walletImport: { password: 'correct horse', secret: 'x' },
  walletUnlock: { password: 'correct horse', remember: true },
  walletExport: { password: 'correct horse' },
  walletSend: { to: `0x${'cd'.repeat(20)}`, amount: '1.5' },
};

describe('control API over a MessagePort', () => {
  let client: ApiClient | null = null;
  afterEach(() => client?.close());

  function connect(timeoutMs?: number) {
    const handlers = fakeHandlers();
    const hub = createApiHub(handlers);
    const { port1, port2 } = new MessageChannel();
    servePort(hub, port1);
    client = createRpcClient(
      {
        send: (message) => port2.postMessage(message),
        onMessage: (listener) => port2.on('message', (message: ServerMessage) => listener(message)),
        onClose: (listener) => port2.on('close', () => listener('port closed')),
        close: () => port2.close(),
      },
      timeoutMs,
    );
    return { hub, handlers, client };
  }

  it('carries every method and returns exactly what the handler produced', async () => {
    const { client, handlers } = connect();
    const expected = {
      status: sampleStatus(),
      pause: handlers.pause({}),
      resume: handlers.resume({}),
      pauseAfterRound: handlers.pauseAfterRound({}),
      pauseFor: handlers.pauseFor({ minutes: 60 }),
      reportSignals: handlers.reportSignals({ idleSeconds: 3 }),
      getSettings: handlers.getSettings({}),
      setSettings: { ...handlers.settings, sampleIntervalSeconds: 9 },
      workHistory: handlers.workHistory({ limit: 50 }),
      latestSamples: handlers.latestSamples({}),
      progressHistory: handlers.progressHistory({}),
      network: sampleNetwork(),
      roundHistory: handlers.roundHistory({ limit: 50 }),
      earnings: handlers.earnings({ limit: 100 }),
      walletStatus: handlers.walletStatus({}),
      walletCreate: handlers.walletCreate({ password: 'correct horse' }),
      walletImport: handlers.walletImport({ password: 'correct horse', secret: 'x' }),
      walletUnlock: handlers.walletUnlock({ password: 'correct horse', remember: false }),
      walletLock: handlers.walletLock({}),
      walletForgetUnlock: handlers.walletForgetUnlock({}),
      walletExport: handlers.walletExport({ password: 'correct horse' }),
      walletBalances: handlers.walletBalances({}),
      walletClaim: handlers.walletClaim({}),
      walletSend: handlers.walletSend({ to: '0x', amount: '1', coin: 'airt' }),
      walletHistory: handlers.walletHistory({ limit: 50 }),
      exportDiagnostics: handlers.exportDiagnostics({}),
    };
    expect(Object.keys(expected).sort()).toEqual([...METHODS].sort());
    for (const method of METHODS) {
      const params = PARAMS[method] ?? {};
      expect(await client.call(method, params as never), method).toEqual(expected[method]);
    }
  });

  it('delivers every event to subscribers, and stops after unsubscribe', async () => {
    const { client, hub } = connect();
    const received: Array<[string, unknown]> = [];
    const unsubscribers = EVENTS.map((event) => client.on(event, (data) => received.push([event, data])));
    for (const event of EVENTS) hub.publish(event, sampleEvents[event] as never);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual(EVENTS.map((event) => [event, sampleEvents[event]]));
    unsubscribers.forEach((off) => off());
    hub.publish('progress', sampleEvents.progress);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(EVENTS.length);
  });

  it('surfaces invalid params as a typed error with the contract code', async () => {
    const { client } = connect();
    const error = await client.call('workHistory', { limit: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).code).toBe('INVALID_PARAMS');
  });

  it('times out a call that gets no answer', async () => {
    const hub = createApiHub({ ...fakeHandlers(), status: () => new Promise(() => {}) });
    const { port1, port2 } = new MessageChannel();
    servePort(hub, port1);
    client = createRpcClient(
      {
        send: (message) => port2.postMessage(message),
        onMessage: (listener) => port2.on('message', listener),
        onClose: () => {},
        close: () => port2.close(),
      },
      100,
    );
    await expect(client.call('status')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
