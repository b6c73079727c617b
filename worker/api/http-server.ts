/**
 * The headless dashboard: serves the built renderer and the control API on loopback only.
 *
 * Static files need no token (they hold no secrets); everything under /api and /metrics does. Every
 * request must name this server in its Host header (defeats DNS rebinding), and a browser request from any
 * other origin is refused. The WebSocket takes the token in its URL because browsers cannot set headers on
 * a WebSocket handshake.
 *
 * Nothing a client sends may crash the node: the request and upgrade handlers each run inside one guard that
 * answers whatever they throw (400 for a malformed target or percent-encoding, 500 for anything else), every
 * socket and WebSocket has an 'error' listener, and every response and caught error is counted in /metrics.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_CALL_BYTES, type Status } from './contract.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { errorText } from './dispatch.js';
import type { ApiHub } from './hub.js';
import { renderMetrics, type NetworkMetrics } from './metrics.js';
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
  /** The peer network's numbers for /metrics; absent for a node without one. */
  network?: () => NetworkMetrics;
  /** Where unexpected failures (500s) are reported. */
  log?: (message: string) => void;
}

export interface HttpStats {
  /** Responses sent, by HTTP status code; an accepted WebSocket upgrade counts as 101. */
  responses: Map<number, number>;
  /** Errors caught instead of crashing the node, by where they arose. */
  errors: Record<'request' | 'upgrade' | 'client' | 'socket' | 'websocket' | 'server', number>;
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

/** A request target or percent-encoding that cannot be parsed: the client's fault, a 400. */
const isBadTarget = (error: unknown) =>
  error instanceof URIError || (error as NodeJS.ErrnoException | null)?.code === 'ERR_INVALID_URL';

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const stats: HttpStats = {
    responses: new Map(),
    errors: { request: 0, upgrade: 0, client: 0, socket: 0, websocket: 0, server: 0 },
  };
  const countResponse = (status: number) => stats.responses.set(status, (stats.responses.get(status) ?? 0) + 1);
  const caught = (where: keyof HttpStats['errors'], error: unknown) => {
    stats.errors[where]++;
    log(`http: ${where} failed: ${errorText(error, true)}`);
  };
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
    // The file can vanish or turn unreadable after the stat; the stream's error must not go unheard.
    createReadStream(file)
      .on('error', (error) => {
        caught('request', error);
        res.destroy();
      })
      .pipe(res);
  };

  /** A reply written straight to a socket that has no ServerResponse (upgrades, unparsable requests). */
  const rawReply = (socket: Duplex, status: number) => {
    if (!socket.writable) return void socket.destroy();
    countResponse(status);
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const route = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    const verdict = admit(req, url, isApi);
    if (verdict !== 200) return refuse(res, verdict);
    if (url.pathname === '/api/status') return sendJson(res, 200, options.status());
    if (url.pathname === '/metrics') {
      const body = renderMetrics(options.status(), options.hub, stats, options.network?.());
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(body);
    }
    if (isApi) return sendJson(res, 404, { error: 'not found' });
    serveStatic(res, url.pathname);
  };

  const server: Server = createServer((req, res) => {
    res.once('close', () => res.headersSent && countResponse(res.statusCode));
    try {
      route(req, res);
    } catch (error) {
      if (!isBadTarget(error)) caught('request', error);
      if (res.headersSent) return void res.destroy();
      const status = isBadTarget(error) ? 400 : 500;
      sendJson(res, status, { error: status === 400 ? 'bad request target' : 'internal error' });
    }
  });

  // Once we listen, Node leaves unparsable requests (bad request lines, headers, methods) for us to answer.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Bytes arriving after our answer report the same error again: that socket is being closed already.
    if (!socket.writable) return void socket.destroy();
    stats.errors.client++;
    // A response already under way on this socket (pipelining) must not get a second one written into it.
    const inFlight = (socket as { _httpMessage?: unknown })._httpMessage;
    if (inFlight || error.code === 'ECONNRESET') return void socket.destroy();
    rawReply(socket, error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_BYTES });
  // With a listener ws leaves a failed handshake (bad key, version) to us, so that it is counted like the rest.
  wss.on('wsClientError', (_error, socket) => rawReply(socket, 400));
  wss.on('error', (error) => caught('websocket', error));

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return rawReply(socket, 405);
    const verdict = url.pathname === '/api/ws' ? admit(req, url, true) : 404;
    if (verdict !== 200) return rawReply(socket, verdict);
    wss.handleUpgrade(req, socket, head, (ws) => {
      countResponse(101);
      attach(ws);
    });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgrade its raw socket with no 'error' listener: a client's reset would crash the node.
    socket.on('error', () => {
      stats.errors.socket++;
      socket.destroy();
    });
    try {
      upgrade(req, socket, head);
    } catch (error) {
      if (isBadTarget(error)) return rawReply(socket, 400);
      caught('upgrade', error);
      socket.destroy();
    }
  });

  const attach = (ws: WebSocket) => {
    const connection = options.hub.connect((message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    });
    // receive() never throws; ws reports bad frames (oversized, malformed, not UTF-8) as 'error', then closes.
    ws.on('message', (data, isBinary) => connection.receive(isBinary ? null : data.toString('utf8')));
    ws.on('close', () => connection.close());
    ws.on('error', () => {
      stats.errors.websocket++;
      ws.terminate();
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once listening, an error (an accept failing for lack of file descriptors) is counted, not thrown.
  server.on('error', (error) => caught('server', error));
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
