/**
 * Serves the control API on a MessagePort (Electron's MessagePortMain in the utility process, or a
 * worker_threads port in tests). Messages are structured-clone objects in the contract's wire format.
 */
import type { ApiHub } from './hub.js';

/** The part of a MessagePort we use; both Electron's MessagePortMain and Node's MessagePort fit. */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown } | unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start?(): void;
  close(): void;
}

/** Electron delivers `{ data }` events; Node's MessagePort delivers the value itself. */
function payload(event: unknown): unknown {
  return event && typeof event === 'object' && 'data' in event && !('kind' in event)
    ? (event as { data: unknown }).data
    : event;
}

export function servePort(hub: ApiHub, port: PortLike): () => void {
  const connection = hub.connect((message) => port.postMessage(message));
  port.on('message', (event) => connection.receive(payload(event)));
  port.on('close', () => connection.close());
  port.start?.();
  return () => {
    connection.close();
    port.close();
  };
}
