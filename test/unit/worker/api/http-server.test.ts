import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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
    hub.publish('progress', { step: 5, samplesPerSecond: 1, microBatch: 8, discriminatorLoss: 1, generatorLoss: 1, time: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(messages).toContainEqual({ kind: 'result', id: 1, result: { state: 'paused', reason: 'user', reasonText: 'Paused by you' } });
    expect(messages).toContainEqual(expect.objectContaining({ kind: 'error', error: expect.objectContaining({ code: 'BAD_MESSAGE' }) }));
    expect(messages).toContainEqual(expect.objectContaining({ kind: 'event', event: 'progress' }));
    expect(hub.dispatcher.stats.rejected.BAD_MESSAGE).toBeGreaterThan(0);
    ws!.close();
  });
});
