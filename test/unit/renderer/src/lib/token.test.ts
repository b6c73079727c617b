import { describe, expect, it } from 'vitest';
import {
  probeUrl,
  socketUrl,
  takeToken,
  TOKEN_STORAGE_KEY,
  tokenFromInput,
} from '../../../../../renderer/src/lib/token.js';
import { FakeHistory, FakeStorage } from './fakes.js';

const TOKEN = 'a1B2c3D4e5F6g7H8';

describe('takeToken', () => {
  it('takes the token from the URL, saves it and removes it from the address bar', () => {
    const storage = new FakeStorage();
    const history = new FakeHistory();
    const token = takeToken({ href: `http://127.0.0.1:7077/?token=${TOKEN}`, storage, history });
    expect(token).toBe(TOKEN);
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe(TOKEN);
    expect(history.replaced).toEqual(['/']);
    expect(history.state).toEqual({ page: 1 });
  });

  it('keeps the other query parameters and the hash', () => {
    const history = new FakeHistory();
    takeToken({ href: `http://127.0.0.1:7077/app/?view=work&token=${TOKEN}#log`, storage: new FakeStorage(), history });
    expect(history.replaced).toEqual(['/app/?view=work#log']);
  });

  it('uses the saved token after a reload', () => {
    const storage = new FakeStorage();
    storage.setItem(TOKEN_STORAGE_KEY, TOKEN);
    const history = new FakeHistory();
    expect(takeToken({ href: 'http://127.0.0.1:7077/', storage, history })).toBe(TOKEN);
    expect(history.replaced).toEqual([]);
  });

  it('prefers a token in the URL over the saved one', () => {
    const storage = new FakeStorage();
    storage.setItem(TOKEN_STORAGE_KEY, 'old-token-000000');
    expect(takeToken({ href: `http://localhost:1/?token=${TOKEN}`, storage, history: null })).toBe(TOKEN);
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe(TOKEN);
  });

  it('drops an empty token parameter and falls back to the saved token', () => {
    const storage = new FakeStorage();
    storage.setItem(TOKEN_STORAGE_KEY, TOKEN);
    const history = new FakeHistory();
    expect(takeToken({ href: 'http://localhost:1/?token=', storage, history })).toBe(TOKEN);
    expect(history.replaced).toEqual(['/']);
  });

  it('returns null when there is no token anywhere', () => {
    expect(takeToken({ href: 'http://localhost:1/', storage: new FakeStorage(), history: null })).toBeNull();
  });

  it('still works when storage throws', () => {
    const storage = new FakeStorage();
    storage.failing = true;
    expect(takeToken({ href: `http://localhost:1/?token=${TOKEN}`, storage, history: null })).toBe(TOKEN);
    expect(takeToken({ href: 'http://localhost:1/', storage, history: null })).toBeNull();
  });
});

describe('socketUrl and probeUrl', () => {
  it('points at /api/ws on the page host with the token encoded', () => {
    expect(socketUrl('http://127.0.0.1:7077/some/page?x=1', 'a+b/c=')).toBe('ws://127.0.0.1:7077/api/ws?token=a%2Bb%2Fc%3D');
    expect(socketUrl('https://example.test/', TOKEN)).toBe(`wss://example.test/api/ws?token=${TOKEN}`);
    expect(socketUrl('http://localhost:9/', null)).toBe('ws://localhost:9/api/ws');
  });

  it('probes /api/status on the page origin', () => {
    expect(probeUrl('http://127.0.0.1:7077/x/y?z=1')).toBe('http://127.0.0.1:7077/api/status');
  });
});

describe('tokenFromInput', () => {
  it('accepts the printed URL or the bare token', () => {
    expect(tokenFromInput(`  http://127.0.0.1:7077/?token=${TOKEN}  `)).toBe(TOKEN);
    expect(tokenFromInput(TOKEN)).toBe(TOKEN);
  });

  it('rejects anything else', () => {
    expect(tokenFromInput('')).toBeNull();
    expect(tokenFromInput('http://127.0.0.1:7077/')).toBeNull();
    expect(tokenFromInput('not a token')).toBeNull();
    expect(tokenFromInput('short')).toBeNull();
  });
});
