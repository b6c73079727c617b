/**
 * The headless dashboard: serves the built renderer and the control API on loopback only.
 *
 * Static files need no token (they hold no secrets); everything under /api and /metrics does. Every
 * request must name this server in its Host header (defeats DNS rebinding), and a browser request from any
 * other origin is refused. The WebSocket takes the token in its URL because browsers cannot set headers on
 * a WebSocket handshake.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_CALL_BYTES, type Status } from './contract.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import type { ApiHub } from './hub.js';
import { renderMetrics } from './metrics.js';
import { bearerToken, tokenMatches } from './token.js';


const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface HttpServerOptions {
  hub: ApiHub;
  token: string;
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: '127.0.0.1' (default) or '::1'. */
  host?: '127.0.0.1' | '::1';
  /** The built renderer (index.html and assets). */
  staticDir: string;
  status(): Status;
}

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  let port = 0;
  const hostNames = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);

  /** 'ok', or the HTTP status that refuses the request. Order matters: a foreign page learns nothing. */
  const admit = (req: IncomingMessage, url: URL, needsToken: boolean): 200 | 401 | 403 => {
    if (!hostNames().has(req.headers.host ?? '')) return 403;
    const origin = req.headers.origin;
    if (origin !== undefined && !hostNames().has(origin.replace(/^http:\/\//, ''))) return 403;
    if (!needsToken) return 200;
    const presented = bearerToken(req.headers.authorization) ?? url.searchParams.get('token');
    return tokenMatches(options.token, presented) ? 200 : 401;
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const refuse = (res: ServerResponse, status: 401 | 403) =>
    sendJson(res, status, { error: status === 401 ? 'missing or wrong token' : 'forbidden origin or host' });

  const serveStatic = (res: ServerResponse, pathname: string) => {
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^([/\\])+/, '');
    const file = join(options.staticDir, relative);
    if (relative.startsWith('..') || !file.startsWith(options.staticDir + sep)) return sendJson(res, 404, { error: 'not found' });
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return sendJson(res, 404, { error: 'not found' });
      size = stat.size;
    } catch {
      return sendJson(res, 404, { error: 'not found' });
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      // Vite fingerprints assets; index.html must always be revalidated.
      'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(file).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    const verdict = admit(req, url, isApi);
    if (verdict !== 200) return refuse(res, verdict);
    if (url.pathname === '/api/status') return sendJson(res, 200, options.status());
    if (url.pathname === '/metrics') {
      const body = renderMetrics(options.status(), options.hub.dispatcher.stats, options.hub.connections);
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(body);
    }
    if (isApi) return sendJson(res, 404, { error: 'not found' });
    serveStatic(res, url.pathname);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = url.pathname === '/api/ws' ? admit(req, url, true) : 404;
    if (verdict !== 200) {
      const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[verdict];
      socket.end(`HTTP/1.1 ${verdict} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket) => {
    const connection = options.hub.connect((message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    });
    ws.on('message', (data, isBinary) => connection.receive(isBinary ? null : data.toString('utf8')));
    ws.on('close', () => connection.close());
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host === '::1' ? '[::1]' : host;

  return {
    port,
    url: `http://${shownHost}:${port}/`,
    close: async () => {
      for (const client of wss.clients) client.close(1001, 'node stopping');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
