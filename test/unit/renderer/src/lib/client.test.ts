import { describe, expect, it, vi } from 'vitest';
import { createDashboardClient, pickTransport, type ClientEnv } from '../../../../../renderer/src/lib/client.js';
import { TOKEN_STORAGE_KEY } from '../../../../../renderer/src/lib/token.js';
import { FakeHistory, FakeNetwork, FakeStorage } from './fakes.js';

const TOKEN = 'tok-0123456789abcdef';

function env(overrides: Partial<ClientEnv> = {}) {
  const network = new FakeNetwork();
  const storage = new FakeStorage();
  const history = new FakeHistory();
  const value: ClientEnv = {
    bridge: undefined,
    href: `http://127.0.0.1:7077/?token=${TOKEN}`,
    storage,
    history,
    openSocket: network.openSocket,
    fetch: network.fetch,
    ...overrides,
  };
  return { env: value, network, storage, history };
}

const bridge = () => ({ call: vi.fn(async () => ({ state: 'paused' })), on: vi.fn(() => () => {}) });

describe('pickTransport', () => {
  it('uses the preload bridge when the desktop app exposes one', () => {
    const b = bridge();
    expect(pickTransport({ bridge: b, href: 'file:///app/dist/renderer/index.html' })).toEqual({ kind: 'bridge', bridge: b });
    expect(pickTransport({ bridge: b, href: 'http://127.0.0.1:1/' }).kind).toBe('bridge');
  });

  it('uses the WebSocket in a browser page served over http(s)', () => {
    expect(pickTransport({ bridge: undefined, href: 'http://127.0.0.1:7077/' }).kind).toBe('websocket');
    expect(pickTransport({ bridge: { call: 1 }, href: 'https://node.local/' }).kind).toBe('websocket');
  });

  it('has nothing to offer a page opened from disk without the app', () => {
    expect(pickTransport({ bridge: undefined, href: 'file:///tmp/index.html' }).kind).toBe('none');
  });
});

describe('createDashboardClient', () => {
  it('wraps the bridge, always connected, without touching the token or the network', async () => {
    const b = bridge();
    const { env: e, network, history } = env({ bridge: b });
    const client = createDashboardClient(e);
    expect(client.transport).toBe('bridge');
    expect(client.connection.phase).toBe('connected');
    await expect(client.call('pause')).resolves.toEqual({ state: 'paused' });
    expect(b.call).toHaveBeenCalledWith('pause', {});
    expect(network.sockets).toHaveLength(0);
    expect(history.replaced).toEqual([]);
  });

  it('opens the WebSocket with the token from the URL, saved and cleaned from the address bar', () => {
    const { env: e, network, storage, history } = env();
    const client = createDashboardClient(e);
    expect(client.transport).toBe('websocket');
    expect(network.last.url).toBe(`ws://127.0.0.1:7077/api/ws?token=${TOKEN}`);
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe(TOKEN);
    expect(history.replaced).toEqual(['/']);
    network.last.accept();
    expect(client.connection.phase).toBe('connected');
  });

  it('saves a token given later and reconnects with it', () => {
    const { env: e, network, storage } = env({ href: 'http://127.0.0.1:7077/' });
    const client = createDashboardClient(e);
    expect(network.last.url).toBe('ws://127.0.0.1:7077/api/ws');
    client.setToken('pasted-token-1234');
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe('pasted-token-1234');
    expect(network.last.url).toBe('ws://127.0.0.1:7077/api/ws?token=pasted-token-1234');
  });

  it('reports a page without a node as unavailable', async () => {
    const { env: e } = env({ href: 'file:///tmp/index.html' });
    const client = createDashboardClient(e);
    expect(client.transport).toBe('none');
    expect(client.connection.phase).toBe('unavailable');
    await expect(client.call('status')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
