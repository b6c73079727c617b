import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_CALL_BYTES } from '../../../../worker/api/contract.js';
import { CONTENT_SECURITY_POLICY } from '../../../../worker/api/csp.js';
import { startHttpServer, type HttpServer } from '../../../../worker/api/http-server.js';
import { createApiHub, type ApiHub } from '../../../../worker/api/hub.js';
import { fakeHandlers, sampleStatus } from './fixtures.js';

const TOKEN = 'f'.repeat(64);

/** A raw request, so tests control Host and Origin exactly as an attacker could. */
function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes on a fresh connection, as no HTTP client would send them; resolves with all the server said. */
function rawExchange(port: number, bytes: string, { reset = false } = {}) {
  return new Promise<string>((resolve) => {
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => (reset ? socket.write(bytes, () => socket.resetAndDestroy()) : socket.end(bytes)));
    socket.on('data', (chunk) => (reply += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
  });
}

const statusLine = (reply: string) => reply.split('\r\n', 1)[0];

function openSocket(port: number, query: string, headers: Record<string, string> = {}) {
  return new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws${query}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('error', () => resolve({}));
  });
}

describe('dashboard http server', () => {
  let dir: string;
  let hub: ApiHub;
  let server: HttpServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'airtist-http-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>AIRTIST</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'airtist-secret.txt'), 'secret');
    hub = createApiHub(fakeHandlers());
    server = await startHttpServer({ hub, token: TOKEN, port: 0, staticDir: dir, status: sampleStatus });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${TOKEN}` });
  /** One sample of /metrics, 0 if absent, so that a test can count what it caused. */
  const metric = async (sample: string) => {
    const body = (await get(server.port, '/metrics', auth())).body;
    const line = body.split('\n').find((l) => l.startsWith(`${sample} `));
    return line ? Number(line.slice(sample.length + 1)) : 0;
  };
  const upgradeRequest = (target: string, extra = '') =>
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

  it('listens on loopback only', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('serves the dashboard without a token, with a strict CSP and safe headers', async () => {
    const res = await get(server.port, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('AIRTIST');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect((await get(server.port, '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
  });

  it('never serves files outside the dashboard', async () => {
    for (const path of ['/../airtist-secret.txt', '/%2e%2e/airtist-secret.txt', '/assets/../../airtist-secret.txt', '/%2e%2e%2fairtist-secret.txt']) {
      const res = await get(server.port, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('secret');
    }
  });

  it('answers /api/status and /metrics with the bearer token only', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const status = await get(server.port, '/api/status', auth);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ state: 'training', samplesPerSecond: 812.5 });

    const metrics = await get(server.port, '/metrics', auth);
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^airtist_training_samples_per_second 812\.5$/m);
    expect(metrics.body).toMatch(/^airtist_state\{state="training",reason="running"\} 1$/m);
    expect(metrics.body).toMatch(/^# TYPE airtist_training_steps_total counter$/m);
    expect(metrics.body).toMatch(/^airtist_api_rejected_total\{code="BAD_MESSAGE"\} 0$/m);
  });

  it.each([
    ['no token', '/api/status', {}, 401],
    ['a wrong token', '/api/status', { authorization: `Bearer ${'0'.repeat(64)}` }, 401],
    ['a wrong scheme', '/metrics', { authorization: `Basic ${TOKEN}` }, 401],
    ['no token on metrics', '/metrics', {}, 401],
    ['a foreign origin, even with the token', '/api/status', { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' }, 403],
    ['a file:// page (origin null)', '/api/status', { authorization: `Bearer ${TOKEN}`, origin: 'null' }, 403],
    ['a rebound host name', '/api/status', { authorization: `Bearer ${TOKEN}`, host: 'evil.example' }, 403],
    ['a rebound host on the dashboard', '/', { host: 'evil.example:80' }, 403],
  ])('refuses %s', async (_name, path, headers, status) => {
    const res = await get(server.port, path, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.body).not.toContain('samplesPerSecond');
  });

  it('refuses WebSocket upgrades without the token or from a foreign origin', async () => {
    expect((await openSocket(server.port, '')).status).toBe(401);
    expect((await openSocket(server.port, '?token=nope')).status).toBe(401);
    expect((await openSocket(server.port, `?token=${TOKEN}`, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('speaks the control API over an authorised WebSocket, including pushed events', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    const { ws } = await openSocket(server.port, `?token=${TOKEN}`, { origin });
    expect(ws).toBeDefined();
    const messages: unknown[] = [];
    ws!.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws!.send(JSON.stringify({ kind: 'call', id: 1, method: 'pause', params: {} }));
    ws!.send('garbage');
    await new Promise((resolve) => setTimeout(resolve, 100));
    hub.publish('progress', { step: 5, samplesPerSecond: 1, microBatch: 8, losses: { discriminator: 1, generator: 1 }, time: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(messages).toContainEqual({ kind: 'result', id: 1, result: { state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' } });
    expect(messages).toContainEqual(expect.objectContaining({ kind: 'error', error: expect.objectContaining({ code: 'BAD_MESSAGE' }) }));
    expect(messages).toContainEqual(expect.objectContaining({ kind: 'event', event: 'progress' }));
    expect(hub.dispatcher.stats.rejected.BAD_MESSAGE).toBeGreaterThan(0);
    ws!.close();
  });

  it('answers malformed percent-encoding and request targets with a counted 400, without a token, and keeps serving', async () => {
    const before = await metric('airtist_http_responses_total{code="400"}');
    const targets = ['/%', '/%ff', '/%e2%82', '/assets/%c0%', 'http://[bad', '//x:99999', 'http://127.0.0.1:99999/api/status'];
    for (const target of targets) {
      const reply = await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
      expect(statusLine(reply), target).toBe('HTTP/1.1 400 Bad Request');
    }
    expect((await get(server.port, '/')).status).toBe(200);
    expect(await metric('airtist_http_responses_total{code="400"}')).toBe(before + targets.length);
  });

  it('answers malformed upgrade targets with 400 and survives a client resetting a refused upgrade', async () => {
    for (const target of ['http://[bad', '//x:99999']) {
      expect(statusLine(await rawExchange(server.port, upgradeRequest(target))), target).toBe('HTTP/1.1 400 Bad Request');
    }
    // Refused (no token), then reset by the client while the refusal is still being sent.
    for (let i = 0; i < 20; i++) await rawExchange(server.port, upgradeRequest('/api/ws'), { reset: true });
    expect(statusLine(await rawExchange(server.port, upgradeRequest('/api/ws')))).toBe('HTTP/1.1 401 Unauthorized');
    expect(statusLine(await rawExchange(server.port, upgradeRequest('/api/ws?token=' + TOKEN, 'Sec-WebSocket-Version: x\r\n')))).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect((await get(server.port, '/')).status).toBe(200);
  });

  it('answers unparsable requests with 400 (431 for huge headers), counted', async () => {
    const before = await metric('airtist_http_errors_total{where="client"}');
    const lines = ['\u0000\u0001 nonsense\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'G ET / HTTP/1.1\r\n\r\n', 'GET /\u007f HTTP/1.1\r\n\r\n'];
    for (const line of lines) expect(statusLine(await rawExchange(server.port, line)), line).toBe('HTTP/1.1 400 Bad Request');
    const huge = `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
    expect(statusLine(await rawExchange(server.port, huge))).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(await metric('airtist_http_errors_total{where="client"}')).toBe(before + lines.length + 1);
    expect(await metric('airtist_http_responses_total{code="431"}')).toBe(1);
  });

  it('answers non-string methods and bad frames over the WebSocket without crashing, and counts them', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    const { ws } = await openSocket(server.port, `?token=${TOKEN}`, { origin });
    const replies: Array<{ id: number; error?: { code: string } }> = [];
    ws!.on('message', (data) => replies.push(JSON.parse(data.toString())));
    ws!.send('{"kind":"call","id":1,"method":{"toString":1}}');
    ws!.send(`{"kind":"call","id":2,"method":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    while (replies.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(replies).toMatchObject([{ id: 1, error: { code: 'UNKNOWN_METHOD' } }, { id: 2, error: { code: 'UNKNOWN_METHOD' } }]);

    const before = await metric('airtist_http_errors_total{where="websocket"}');
    const closed = new Promise<number>((resolve) => ws!.once('close', resolve));
    ws!.send('x'.repeat(MAX_CALL_BYTES + 1));
    expect(await closed).toBe(1009);
    expect(await metric('airtist_http_errors_total{where="websocket"}')).toBe(before + 1);
    expect(await metric('airtist_http_responses_total{code="101"}')).toBeGreaterThan(0);
  });

  it('reports a handler that throws as a counted 500 and keeps serving', async () => {
    let fail = true;
    const errors: string[] = [];
    const status = () => {
      if (fail) throw new Error('status exploded');
      return sampleStatus();
    };
    const failing = await startHttpServer({ hub, token: TOKEN, port: 0, staticDir: dir, status, log: (line) => errors.push(line) });
    try {
      const res = await get(failing.port, '/api/status', auth());
      expect(res.status).toBe(500);
      expect(res.body).not.toContain('exploded');
      expect(errors.join()).toContain('status exploded');
      fail = false;
      const metrics = (await get(failing.port, '/metrics', auth())).body;
      expect(metrics).toMatch(/^airtist_http_responses_total\{code="500"\} 1$/m);
      expect(metrics).toMatch(/^airtist_http_errors_total\{where="request"\} 1$/m);
      expect(metrics).toMatch(/^airtist_api_dropped_messages_total 0$/m);
    } finally {
      await failing.close();
    }
  });
});
