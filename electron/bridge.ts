/**
 * The preload's job, as a function of its Electron objects so tests can pass fakes: receive the worker port
 * that main sends on PORT_CHANNEL, and expose only `window.airtist` (an AirtistBridge) to the page.
 *
 * Runs in the sandboxed preload: it may import only pure modules (esbuild bundles them into preload.cjs).
 */
import type { EventName, Method } from '../worker/api/contract.js';
import { DEFAULT_CALL_TIMEOUT_MS, EVENTS, PORT_CHANNEL, RESTART_CHANNEL, type AirtistBridge, type ApiError } from '../worker/api/wire.js';
import { createRpcClient } from '../worker/api/rpc-client.js';
import { createSwitchingTransport, type PortLike } from './port-transport.js';

/** The DOM MessagePort as the preload sees it (Electron adds a 'close' event). */
export interface RendererPort {
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
}

export interface BridgeDeps {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    on(channel: string, listener: (event: { ports: readonly RendererPort[] }) => void): unknown;
    invoke(channel: string): Promise<unknown>;
  };
  timeoutMs?: number;
}

function adaptRendererPort(port: RendererPort): PortLike {
  return {
    post: (message) => port.postMessage(message),
    onMessage(listener) {
      port.addEventListener('message', (event) => listener(event.data));
      port.start();
    },
    onClose: (listener) => port.addEventListener('close', listener),
    close: () => port.close(),
  };
}

/** Errors cross the context bridge as plain `{code, message}`: an Error object would lose its code there. */
function plainError(error: unknown): ApiError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return {
    code: typeof code === 'string' ? (code as ApiError['code']) : 'INTERNAL',
    message: typeof message === 'string' ? message : String(error),
  };
}

export function exposeBridge({ contextBridge, ipcRenderer, timeoutMs = DEFAULT_CALL_TIMEOUT_MS }: BridgeDeps): void {
  const transport = createSwitchingTransport(timeoutMs);
  const client = createRpcClient(transport, timeoutMs);

  // Main sends a port after every load of the app page and again after each worker restart.
  ipcRenderer.on(PORT_CHANNEL, (event) => {
    const port = event.ports[0];
    if (port) transport.attach(adaptRendererPort(port));
  });

  const bridge: AirtistBridge = {
    call(method, params) {
      if (typeof method !== 'string') {
        return Promise.reject(plainError({ code: 'BAD_MESSAGE', message: 'method must be a string' }));
      }
      // The worker validates method and params; the bridge only carries them.
      return client.call(method as Method, params as never).catch((error: unknown) => Promise.reject(plainError(error)));
    },
    on(event, listener) {
      if (!(EVENTS as string[]).includes(event)) throw new TypeError(`unknown event: ${String(event).slice(0, 64)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return client.on(event as EventName, listener);
    },
    async restartMiner() {
      await ipcRenderer.invoke(RESTART_CHANNEL).catch((error: unknown) => Promise.reject(plainError(error)));
    },
  };
  contextBridge.exposeInMainWorld('airtist', bridge);
}
