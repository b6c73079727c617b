/**
 * The control API's wire format and Electron plumbing: the part of the contract every transport needs,
 * kept free of zod so that the sandboxed preload bundles only this. Re-exported by contract.ts.
 */
import type { EventName } from './contract.js';

export const EVENTS: EventName[] = ['progress', 'samples', 'state', 'work', 'network', 'wallet', 'transaction', 'settings'];

// Identical over MessagePort, WebSocket and the preload bridge.

export type ErrorCode =
  | 'BAD_MESSAGE'
  | 'UNKNOWN_METHOD'
  | 'INVALID_PARAMS'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  /** The node understood the call and will not do it (a wrong password, nothing to claim): the message says why. */
  | 'REFUSED'
  | 'INTERNAL';

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export interface CallMessage {
  kind: 'call';
  id: number;
  method: string;
  params: unknown;
}
export type ReplyMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: ApiError };
export interface EventMessage {
  kind: 'event';
  event: EventName;
  data: unknown;
}
export type ServerMessage = ReplyMessage | EventMessage;

/** Largest control message accepted from a client; calls are tiny, this only bounds abuse. */
export const MAX_CALL_BYTES = 64 * 1024;
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/**
 * What the Electron preload script exposes as `window.airtist` through `contextBridge`: the control API in its
 * rawest form (plain values only cross the bridge). The renderer wraps it into an `ApiClient`.
 */
export interface AirtistBridge {
  call(method: string, params: unknown): Promise<unknown>;
  on(event: string, listener: (data: unknown) => void): () => void;
  /** Restarts the miner (main stops the worker, which saves everything, and starts it again): settings that take effect at start. */
  restartMiner(): Promise<void>;
}

/** Electron plumbing: the IPC channel on which the app page asks main to restart the worker. */
export const RESTART_CHANNEL = 'airtist:restart-worker';

/** Electron plumbing: the IPC channel on which main hands the renderer its MessagePort to the worker. */
export const PORT_CHANNEL = 'airtist:api-port';
/** Message from main to the worker process carrying a new client's MessagePort in `ports[0]`. */
export interface ConnectPortMessage {
  type: 'connect';
  /** Who is on the other end, for logs: 'main' or 'renderer'. */
  client: string;
}
