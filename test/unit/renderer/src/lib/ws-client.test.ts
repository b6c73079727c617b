import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../../../../renderer/src/lib/connection.js';
import { createWebSocketClient, parseServerMessage } from '../../../../../renderer/src/lib/ws-client.js';
import { FakeNetwork } from './fakes.js';

const PAGE = 'http://127.0.0.1:7077/';
const TOKEN = 'tok-0123456789abcdef';

function setup(options: { token?: string | null } = {}) {
  const network = new FakeNetwork();
  const client = createWebSocketClient({
    pageHref: PAGE,
    token: options.token === undefined ? TOKEN : options.token,
    openSocket: network.openSocket,
    fetch: network.fetch,
    random: () => 0.5, // no jitter: delays are 500, 1000, 2000, 4000, 5000…
    callTimeoutMs: 10_000,
  });
  const states: ConnectionState[] = [];
  client.onConnection((state) => states.push(state));
  const phases = () => states.map((state) => state.phase);
  return { network, client, states, phases };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createWebSocketClient', () => {
  it('connects to /api/ws with the token and reports connected', () => {
    const { network, client, phases } = setup();
    expect(client.connection.phase).toBe('connecting');
    expect(network.last.url).toBe(`ws://127.0.0.1:7077/api/ws?token=${TOKEN}`);
    network.last.accept();
    expect(client.connection.phase).toBe('connected');
    expect(phases()).toEqual(['connected']);
  });

  it('sends calls as CallMessages and resolves with the reply', async () => {
    const { network, client } = setup();
    network.last.accept();
    const result = client.call('workHistory', { limit: 3 });
    const [message] = network.last.sent;
    expect(message).toMatchObject({ kind: 'call', method: 'workHistory', params: { limit: 3 } });
    network.last.reply(message!.id, { units: [], today: {}, total: {} });
    await expect(result).resolves.toEqual({ units: [], today: {}, total: {} });
  });

  it('holds a call made while connecting until the socket opens', async () => {
    const { network, client } = setup();
    const result = client.call('status');
    await vi.advanceTimersByTimeAsync(100);
    expect(network.last.sent).toEqual([]);
    network.last.accept();
    await vi.advanceTimersByTimeAsync(0);
    network.last.reply(network.last.sent[0]!.id, { step: 5 });
    await expect(result).resolves.toEqual({ step: 5 });
  });

  it('gives up on a held call after the call timeout', async () => {
    const { client } = setup();
    const result = client.call('status');
    const assertion = expect(result).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await vi.advanceTimersByTimeAsync(10_000);
    await assertion;
  });

  it('reconnects with backoff after a drop and keeps event listeners across sockets', async () => {
    const { network, client, states } = setup();
    const steps: number[] = [];
    client.on('progress', (point) => steps.push(point.step));
    network.last.accept();
    network.last.push('progress', { step: 1 });

    network.last.drop();
    expect(client.connection).toMatchObject({ phase: 'reconnecting', attempt: 1, retryAt: 1_000_000 + 500 });
    expect(network.probes).toEqual([]); // it had been open: no reason to suspect the token
    await vi.advanceTimersByTimeAsync(499);
    expect(network.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(network.sockets).toHaveLength(2);

    network.last.accept();
    network.last.push('progress', { step: 2 });
    expect(steps).toEqual([1, 2]);
    expect(states.at(-1)).toMatchObject({ phase: 'connected', attempt: 0 });
  });

  it('fails calls in flight when the socket drops', async () => {
    const { network, client } = setup();
    network.last.accept();
    const result = client.call('pause');
    network.last.drop();
    await expect(result).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('backs off further while the node stays down, and resets after a good connection', async () => {
    const { network, client } = setup();
    const retryDelays: number[] = [];
    client.onConnection((state) => {
      if (state.retryAt !== null) retryDelays.push(state.retryAt - Date.now());
    });
    for (let i = 0; i < 6; i++) {
      network.last.drop();
      await vi.advanceTimersByTimeAsync(0); // the probe: connection refused, so not a token problem
      await vi.advanceTimersByTimeAsync(client.connection.retryAt! - Date.now());
    }
    expect(retryDelays).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(client.connection.phase).toBe('connecting'); // never connected yet: "waiting for the node"

    network.last.accept();
    network.last.drop();
    expect(client.connection).toMatchObject({ phase: 'reconnecting', attempt: 1 });
    expect(client.connection.retryAt! - Date.now()).toBe(500);
  });

  it('reports unauthorized when the status probe answers 401, and stops retrying', async () => {
    const { network, client } = setup();
    network.probeStatus = 401;
    const pending = client.call('status');
    const assertion = expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    network.last.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.connection.phase).toBe('unauthorized');
    expect(client.connection.message).toMatch(/airtist node/);
    expect(network.probes).toEqual([
      { url: 'http://127.0.0.1:7077/api/status', headers: { Authorization: `Bearer ${TOKEN}` } },
    ]);
    await assertion;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(network.sockets).toHaveLength(1);
    await expect(client.call('status')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('treats 403 the same, and probes without a header when there is no token', async () => {
    const { network, client } = setup({ token: null });
    network.probeStatus = 403;
    expect(network.last.url).toBe('ws://127.0.0.1:7077/api/ws');
    network.last.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.connection.phase).toBe('unauthorized');
    expect(network.probes[0]?.headers).toEqual({});
  });

  it('keeps retrying when the probe succeeds or the server errors (not a token problem)', async () => {
    const { network, client } = setup();
    network.probeStatus = 200;
    network.last.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.connection.phase).toBe('connecting');
    network.probeStatus = 502;
    await vi.advanceTimersByTimeAsync(500);
    network.last.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.connection.phase).toBe('connecting');
    expect(network.sockets).toHaveLength(2);
  });

  it('treats close codes 4401/4403 on an open socket as unauthorized', () => {
    const { network, client } = setup();
    network.last.accept();
    network.last.drop(4401, 'bad token');
    expect(client.connection.phase).toBe('unauthorized');
  });

  it('reconnects with a new token', async () => {
    const { network, client } = setup();
    network.probeStatus = 401;
    network.last.drop();
    await vi.advanceTimersByTimeAsync(0);
    client.setToken('new-token-abcdefgh');
    expect(client.connection.phase).toBe('connecting');
    expect(network.last.url).toBe('ws://127.0.0.1:7077/api/ws?token=new-token-abcdefgh');
    network.last.accept();
    expect(client.connection.phase).toBe('connected');
  });

  it('retryNow skips the wait', async () => {
    const { network, client } = setup();
    network.last.accept();
    network.last.drop();
    network.last.drop(); // a second close of the same socket changes nothing
    expect(network.sockets).toHaveLength(1);
    client.retryNow();
    expect(network.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(network.sockets).toHaveLength(2); // the scheduled retry was cancelled
  });

  it('ignores callbacks from a socket it has abandoned', async () => {
    const { network, client } = setup();
    const first = network.last;
    client.retryNow();
    expect(first.closed).toBe(true);
    const second = network.last;
    first.accept();
    expect(client.connection.phase).toBe('connecting');
    second.accept();
    first.drop();
    expect(client.connection.phase).toBe('connected');
  });

  it('stops for good on close()', async () => {
    const { network, client } = setup();
    network.last.accept();
    client.close();
    expect(network.last.closed).toBe(true);
    expect(client.connection.phase).toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(network.sockets).toHaveLength(1);
    await expect(client.call('status')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('drops malformed frames', () => {
    const { network, client } = setup();
    const seen: unknown[] = [];
    client.on('state', (state) => seen.push(state));
    network.last.accept();
    network.last.raw('not json');
    network.last.raw(new Uint8Array([1, 2]));
    network.last.raw(JSON.stringify({ kind: 'event', event: 'nonsense', data: 1 }));
    network.last.push('state', { state: 'paused' });
    expect(seen).toEqual([{ state: 'paused' }]);
  });
});

describe('parseServerMessage', () => {
  it('accepts replies and known events only', () => {
    expect(parseServerMessage('{"kind":"result","id":1,"result":null}')).toEqual({ kind: 'result', id: 1, result: null });
    expect(parseServerMessage('{"kind":"error","id":2,"error":{"code":"INTERNAL","message":"x"}}')).not.toBeNull();
    expect(parseServerMessage('{"kind":"event","event":"work","data":{}}')).not.toBeNull();
    expect(parseServerMessage('{"kind":"result"}')).toBeNull();
    expect(parseServerMessage('{"kind":"call","id":1}')).toBeNull();
    expect(parseServerMessage('null')).toBeNull();
    expect(parseServerMessage(42)).toBeNull();
  });
});
