/**
 * Main's own control-API client (the tray uses it), kept across worker restarts: the supervisor hands it
 * a fresh MessagePortMain after every start.
 */
import type { MessagePortMain } from 'electron';
import { DEFAULT_CALL_TIMEOUT_MS, type ApiClient } from '../worker/api/contract.js';
import { createRpcClient } from '../worker/api/rpc-client.js';
import { createSwitchingTransport, type PortLike } from './port-transport.js';

/** The parts of MessagePortMain used here, so tests can pass an EventEmitter. */
export type MainPort = Pick<MessagePortMain, 'postMessage' | 'start' | 'close' | 'on'>;

export function adaptMainPort(port: MainPort): PortLike {
  return {
    post: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', (event) => listener(event.data));
      port.start();
    },
    onClose: (listener) => void port.on('close', listener),
    close: () => port.close(),
  };
}

export interface WorkerClient {
  api: ApiClient;
  attach(port: MainPort): void;
  detach(reason: string): void;
}

export function createWorkerClient(timeoutMs = DEFAULT_CALL_TIMEOUT_MS): WorkerClient {
  const transport = createSwitchingTransport(timeoutMs);
  return {
    api: createRpcClient(transport, timeoutMs),
    attach: (port) => transport.attach(adaptMainPort(port)),
    detach: (reason) => transport.detach(reason),
  };
}
