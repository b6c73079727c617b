import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallMessage, ServerMessage } from '../../../worker/api/contract.js';
import { createRpcClient } from '../../../worker/api/rpc-client.js';
import { createSwitchingTransport, type PortLike } from '../../../electron/port-transport.js';

/** A port whose worker end the test plays by hand. */
function fakePort() {
  const sent: CallMessage[] = [];
  let onMessage: (data: unknown) => void = () => {};
  let onClose: () => void = () => {};
  const port: PortLike & { closed: boolean } = {
    closed: false,
    post: (message) => void sent.push(message),
    onMessage: (listener) => void (onMessage = listener),
    onClose: (listener) => void (onClose = listener),
    close() {
      port.closed = true;
    },
  };
  return { port, sent, reply: (message: ServerMessage | unknown) => onMessage(message), drop: () => onClose() };
}

describe('switching transport', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('queues calls until a port arrives, then sends them', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const result = client.call('status');
    const { port, sent, reply } = fakePort();
    await vi.advanceTimersByTimeAsync(3_000);
    transport.attach(port);
    expect(sent).toEqual([{ kind: 'call', id: 1, method: 'status', params: {} }]);
    reply({ kind: 'result', id: 1, result: { state: 'training' } });
    await expect(result).resolves.toEqual({ state: 'training' });
  });

  it('drops queued calls that already timed out instead of running them late', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const late = client.call('pause');
    const rejected = expect(late).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(10_000);
    await rejected;
    const { port, sent } = fakePort();
    transport.attach(port);
    expect(sent).toEqual([]);
  });

  it('fails calls in flight at once when the port goes, and keeps listeners for the next port', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const states: unknown[] = [];
    client.on('state', (data) => states.push(data));

    const first = fakePort();
    transport.attach(first.port);
    const pending = client.call('status');
    first.drop();
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    first.reply({ kind: 'event', event: 'state', data: 'stale' }); // a dropped port is not listened to

    const second = fakePort();
    transport.attach(second.port);
    second.reply({ kind: 'event', event: 'state', data: 'fresh' });
    expect(states).toEqual(['fresh']);
    const next = client.call('status');
    second.reply({ kind: 'result', id: 2, result: 'ok' });
    await expect(next).resolves.toBe('ok');
  });

  it('a new port replaces the old one: old in-flight calls fail, the old port is closed', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const first = fakePort();
    transport.attach(first.port);
    const pending = client.call('status');
    transport.attach(fakePort().port);
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'the worker restarted' });
    expect(first.port.closed).toBe(true);
  });

  it('ignores malformed messages from the worker', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const { port, reply } = fakePort();
    transport.attach(port);
    const pending = client.call('status');
    for (const junk of [null, 'text', 42, { kind: 'result' }, { kind: 'event' }, { kind: 'other', id: 1 }]) reply(junk);
    reply({ kind: 'result', id: 1, result: 'ok' });
    await expect(pending).resolves.toBe('ok');
  });

  it('after close, nothing more is sent and new ports are closed', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const first = fakePort();
    transport.attach(first.port);
    client.close();
    expect(first.port.closed).toBe(true);
    await expect(client.call('status')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const second = fakePort();
    transport.attach(second.port);
    expect(second.port.closed).toBe(true);
  });

  it('bounds the queue while no worker is running', async () => {
    const transport = createSwitchingTransport(10_000);
    const client = createRpcClient(transport, 10_000);
    const calls = Array.from({ length: 300 }, () => client.call('status').catch((error: { code: string }) => error.code));
    // The calls over the bound are refused at once; no timer has run.
    expect(await Promise.all(calls.slice(256))).toEqual(Array(44).fill('UNAVAILABLE'));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
  });
});
