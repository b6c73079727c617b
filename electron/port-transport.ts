/**
 * A control-API transport over whichever MessagePort to the worker is current. Pure; used by main (tray) and
 * by the preload (renderer), each wrapping it with `createRpcClient`.
 *
 * Why a switching transport: the worker can restart, and each restart hands every client a fresh port. One
 * long-lived ApiClient over this transport keeps its event listeners across restarts, instead of every caller
 * re-subscribing. Calls sent while there is no port queue until one arrives (the client's own call timeout
 * bounds the wait); calls in flight on a port that goes away fail at once with UNAVAILABLE.
 */
import type { CallMessage, ServerMessage } from '../worker/api/contract.js';
import type { Transport } from '../worker/api/rpc-client.js';

/** What both Electron's MessagePortMain (main) and the DOM MessagePort (preload) are adapted to. */
export interface PortLike {
  post(message: CallMessage): void;
  /** Also starts the port's message queue. */
  onMessage(listener: (data: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

export interface SwitchingTransport extends Transport {
  /** Use this port from now on; a previous port is dropped as if it had closed. Queued calls go out on it. */
  attach(port: PortLike): void;
  /** The worker went away: calls in flight fail with UNAVAILABLE, later calls wait for the next port. */
  detach(reason: string): void;
}

/** Calls waiting for a port beyond this many are refused, so a worker that never comes back cannot grow memory. */
const MAX_QUEUED = 256;

function isServerMessage(data: unknown): data is ServerMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { kind, id, event } = data as { kind?: unknown; id?: unknown; event?: unknown };
  if (kind === 'event') return typeof event === 'string';
  return (kind === 'result' || kind === 'error') && typeof id === 'number';
}

export function createSwitchingTransport(
  /** Queued calls older than this have already timed out in the client: they are dropped, not sent late. */
  maxQueueAgeMs: number,
  now: () => number = Date.now,
): SwitchingTransport {
  let port: PortLike | null = null;
  let closed = false;
  let deliver: (message: ServerMessage) => void = () => {};
  const queue: { message: CallMessage; at: number }[] = [];
  const inFlight = new Set<number>();

  const fail = (id: number, message: string) => deliver({ kind: 'error', id, error: { code: 'UNAVAILABLE', message } });

  const post = (current: PortLike, message: CallMessage) => {
    inFlight.add(message.id);
    try {
      current.post(message);
    } catch (error) {
      inFlight.delete(message.id);
      fail(message.id, `could not send to the worker: ${(error as Error).message}`);
    }
  };

  const detach = (reason: string) => {
    const old = port;
    port = null;
    old?.close();
    const ids = [...inFlight];
    inFlight.clear();
    for (const id of ids) fail(id, reason);
  };

  return {
    send(message) {
      if (closed) return;
      if (port) return post(port, message);
      if (queue.length >= MAX_QUEUED) return fail(message.id, 'the worker is not running');
      queue.push({ message, at: now() });
    },
    onMessage(listener) {
      deliver = listener;
    },
    onClose() {
      // This transport never closes by itself: a lost worker is a `detach`, not the end of the client.
    },
    close() {
      closed = true;
      queue.length = 0;
      detach('client closed');
    },
    attach(next) {
      if (closed) return next.close();
      if (port) detach('the worker restarted');
      port = next;
      next.onMessage((data) => {
        if (port !== next || !isServerMessage(data)) return;
        if (data.kind !== 'event') inFlight.delete(data.id);
        deliver(data);
      });
      next.onClose(() => {
        if (port === next) detach('the connection to the worker closed');
      });
      const fresh = queue.splice(0).filter((queued) => now() - queued.at < maxQueueAgeMs);
      for (const { message } of fresh) post(next, message);
    },
    detach,
  };
}
