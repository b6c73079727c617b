/**
 * The real headless node under hostile input from outside: a few hundred seeded random raw HTTP requests
 * (request lines, targets, percent-encodings, headers, WebSocket upgrades and frames, with and without the
 * token) and a few hundred random control API messages. The node must stay alive, answer, keep training,
 * and count what it refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { METHODS, type Status } from '../../../worker/api/contract.js';
import { sleep, startNodeProcess, type NodeProcess } from '../../helpers/node-process.js';
import { randomCall, randomString, randomText, seededRng, type Rng } from '../../unit/worker/api/fuzz.js';

const SEED = 0xa1f2;
const REQUESTS = 320;
const MESSAGES = 300;
const PARALLEL = 8;

/** A base64 Sec-WebSocket-Key as a real client makes it. */
const wsKey = (rng: Rng) => Buffer.from(Array.from({ length: 16 }, () => rng.int(256))).toString('base64');

function randomTarget(rng: Rng, port: number, token: string): string {
  const path = rng.pick(['/', '/index.html', '/api/status', '/metrics', '/api/ws', '/api/nope', '/assets/x.js', '/../etc/passwd', '*']);
  const escape = () => rng.pick(['%', '%f', '%ff', '%e2%82', '%c0%af', '%2e%2e/', '%00', '%25', '%zz', `%${rng.int(256).toString(16)}`]);
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2: return path;
    case 3:
    case 4: return `${path}?token=${rng.chance(0.7) ? token : escape()}`;
    case 5: return `/${Array.from({ length: 1 + rng.int(4) }, escape).join('')}`;
    case 6: return rng.pick([`http://127.0.0.1:${port}${path}`, 'http://[bad', '//x:99999', 'http://x:99999/', 'http://[::1', 'ftp://x/y', `//127.0.0.1:${port}/api/status`]);
    case 7: return rng.chance(0.5) ? `/${randomString(rng, rng.int(30))}` : path;
    case 8: return `/${'a'.repeat(rng.pick([1000, 10_000, 70_000]))}`;
    default: return `${path}${escape()}`;
  }
}

/** Bytes after the head: a body, or WebSocket frames (unmasked, oversized, random) for an upgraded socket. */
function randomTail(rng: Rng): Buffer {
  return rng.pick([
    () => Buffer.from(Array.from({ length: rng.int(64) }, () => rng.int(256))),
    () => Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), // unmasked text frame
    () => Buffer.from([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]), // masked, 2^40 bytes long
    () => Buffer.from([0x89, 0x80 | 126, 0, 200, 1, 2, 3, 4]), // a ping longer than a control frame may be
  ])();
}

function randomRequest(rng: Rng, port: number, token: string): { bytes: Buffer; reset: boolean } {
  const host = `127.0.0.1:${port}`;
  // Each part is usually valid, so that most requests get past the parser to the code under test.
  const method = rng.chance(0.85) ? 'GET' : rng.pick(['HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PRI', 'get', 'G ET', 'BREW', '', 'X'.repeat(300)]);
  const version = rng.chance(0.9) ? 'HTTP/1.1' : rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'http/1.1', 'HTTP/1.1 x', '']);
  const headers: string[] = [];
  const upgrade = rng.chance(0.35);
  // Values with control characters, which the parser refuses outright, only now and then.
  const garbage = (length: number) => (rng.chance(0.3) ? randomString(rng, length) : 'x'.repeat(length));
  if (rng.chance(0.9)) headers.push(`Host: ${rng.chance(0.8) ? host : rng.pick([`localhost:${port}`, 'evil.example', '', garbage(8)])}`);
  if (rng.chance(0.3)) headers.push(`Origin: ${rng.pick([`http://${host}`, `http://${host}`, 'http://evil.example', 'null', garbage(10)])}`);
  if (rng.chance(0.5)) headers.push(`Authorization: ${rng.pick([`Bearer ${token}`, `Bearer ${token}`, 'Bearer nope', 'Bearer', `Basic ${token}`, garbage(20)])}`);
  if (upgrade) {
    headers.push('Connection: Upgrade', `Upgrade: ${rng.pick(['websocket', 'websocket', 'WebSocket', 'h2c', ''])}`);
    headers.push(`Sec-WebSocket-Key: ${rng.chance(0.8) ? wsKey(rng) : garbage(24)}`, `Sec-WebSocket-Version: ${rng.pick(['13', '13', '8', '99', 'x'])}`);
  }
  if (rng.chance(0.05)) headers.push(`Content-Length: ${rng.pick(['5', '-1', '99999999999999999999', 'x', '0'])}`);
  if (rng.chance(0.05)) headers.push('Transfer-Encoding: chunked');
  if (rng.chance(0.05)) headers.push(rng.pick([`${randomString(rng, 6)}: x`, 'no colon', ' folded', `X-Big: ${'b'.repeat(20_000)}`]));
  const eol = rng.chance(0.95) ? '\r\n' : '\n';
  const target = upgrade && rng.chance(0.6) ? `/api/ws?token=${token}` : randomTarget(rng, port, token);
  let head = `${method} ${target} ${version}${eol}${headers.map((h) => h + eol).join('')}${eol}`;
  if (rng.chance(0.05)) head = head.slice(0, rng.int(head.length)); // cut short
  const bytes = Buffer.concat([Buffer.from(head), rng.chance(upgrade ? 0.6 : 0.1) ? randomTail(rng) : Buffer.alloc(0)]);
  return { bytes, reset: rng.chance(0.15) };
}

/** Sends one raw request and resolves with the status line it got ('' for none). Bounded, never rejects. */
function exchange(port: number, { bytes, reset }: { bytes: Buffer; reset: boolean }): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => {
      if (reset) socket.write(bytes, () => socket.resetAndDestroy());
      else socket.end(bytes);
    });
    const timer = setTimeout(() => socket.destroy(), 3000); // a server that holds on is no failure here
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply.split('\r\n', 1)[0]!);
    });
  });
}

/** A random control API message; never a valid `pause`, which would stop the training this test watches. */
function randomMessage(rng: Rng): { data: string | Buffer; binary: boolean } {
  if (rng.chance(0.1)) return { data: Buffer.from(randomString(rng, 40)), binary: true };
  const data = rng.pick([
    () => JSON.stringify(randomCall(rng, METHODS.filter((m) => m !== 'pause'))),
    () => JSON.stringify(randomCall(rng, METHODS.filter((m) => m !== 'pause'))),
    () => randomText(rng),
    () => `{"kind":"call","id":${rng.int(100)},"method":{"toString":1},"params":{}}`,
    () => `{"kind":"call","id":1,"method":"status","params":{"__proto__":{"x":1},"constructor":{"prototype":1}}}`,
  ])();
  return /"method":"pause"/.test(data) ? randomMessage(rng) : { data, binary: false };
}

describe('airtist node under fuzzed input', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-fuzz-'));
  let node: NodeProcess | null = null;
  afterAll(async () => {
    if (node && node.child.exitCode === null && node.child.signalCode === null) {
      node.child.kill('SIGKILL');
      await Promise.race([node.exited, sleep(5000)]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const alive = () => node!.child.exitCode === null && node!.child.signalCode === null;
  const died = (after: string) => `node died after ${after}:\n${node!.output().slice(-4000)}`;
  const api = (path: string) => fetch(`http://127.0.0.1:${node!.port}${path}`, { headers: { authorization: `Bearer ${node!.token}` } });
  const status = async () => (await (await api('/api/status')).json()) as Status;

  it(`survives ${REQUESTS} random requests and ${MESSAGES} random API messages, keeps training, counts refusals (seed ${SEED})`, async () => {
    node = await startNodeProcess(dataDir, ['--model', 'mlp-gan', '--backend', 'wasm']);
    const { port, token } = node;
    const rng = seededRng(SEED);

    const seen = new Map<string, number>();
    for (let sent = 0; sent < REQUESTS; sent += PARALLEL) {
      const batch = Array.from({ length: PARALLEL }, () => randomRequest(rng, port, token));
      const lines = await Promise.all(batch.map((request) => exchange(port, request)));
      for (const code of lines.map((line) => /^HTTP\/1\.1 (\d{3}) /.exec(line)?.[1]).filter(Boolean)) {
        seen.set(code!, (seen.get(code!) ?? 0) + 1);
      }
      await sleep(20); // lets a crash from this batch surface before the next one is blamed
      expect(alive(), died(batch.map((r) => JSON.stringify(r.bytes.toString('latin1').slice(0, 160))).join('\n'))).toBe(true);
    }

    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`, { headers: { origin: `http://127.0.0.1:${port}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let replies = 0;
    let closed = false;
    ws.on('message', (data) => (JSON.parse(data.toString()) as { kind: string }).kind !== 'event' && replies++);
    ws.on('close', () => (closed = true));
    const sentMessages: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const { data, binary } = randomMessage(rng);
      sentMessages.push(JSON.stringify(data.toString().slice(0, 160)));
      ws.send(data, { binary });
    }
    for (let waited = 0; replies < MESSAGES && !closed && waited < 20_000; waited += 20) await sleep(20);
    expect(alive(), died(`the WebSocket messages:\n${sentMessages.join('\n')}`)).toBe(true);
    expect({ replies, closed }).toEqual({ replies: MESSAGES, closed: false });
    ws.close();

    // Alive, answering, and still training.
    const before = await status();
    expect(before.state).toBe('training');
    let after = before;
    for (let waited = 0; after.step <= before.step && waited < 30_000; waited += 250) {
      await sleep(250);
      after = await status();
    }
    expect(after.step).toBeGreaterThan(before.step);

    // Every refusal the clients saw was counted, by status code.
    const metrics = await (await api('/metrics')).text();
    const counted = (code: string) => Number(new RegExp(`^airtist_http_responses_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    for (const code of ['400', '401', '403', '404']) expect(counted(code), code).toBeGreaterThan(0);
    for (const [code, count] of seen) expect(counted(code), code).toBeGreaterThanOrEqual(count);
    expect(metrics).toMatch(/^airtist_api_rejected_total\{code="UNKNOWN_METHOD"\} [1-9]\d*$/m);
  });
});
