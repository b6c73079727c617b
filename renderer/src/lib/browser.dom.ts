/** The real browser objects behind `ClientEnv`. The only renderer module (with main.ts) that touches globals. */
import type { ClientEnv } from './client.js';
import type { OpenSocket } from './ws-client.js';

const openSocket: OpenSocket = (url, handlers) => {
  let closed = false;
  const finish = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    // A malformed URL throws synchronously; report it like any failed connect, but not from inside the call.
    setTimeout(() => finish(1006, String(error)), 0);
    return { send: () => {}, close: () => {} };
  }
  socket.addEventListener('open', () => handlers.onOpen());
  socket.addEventListener('message', (event) => handlers.onMessage(event.data));
  socket.addEventListener('close', (event) => finish(event.code, event.reason));
  return {
    send: (data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    },
    close: () => {
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000);
    },
  };
};

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function browserEnv(): ClientEnv {
  return {
    bridge: (window as Window & { airtist?: unknown }).airtist,
    href: window.location.href,
    storage: sessionStorageOrNull(),
    history: window.history,
    openSocket,
    fetch: (url, init) => window.fetch(url, init),
  };
}
