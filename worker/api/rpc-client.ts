/**
 * The control API client, independent of transport: ids, timeouts, event fan-out.
 * Pure: runs in the renderer, the preload script, the CLI and tests.
 */
import type { ApiClient, EventName, Events, Method, Params, Result } from './contract.js';
import { DEFAULT_CALL_TIMEOUT_MS, type ApiError, type CallMessage, type ErrorCode, type ServerMessage } from './wire.js';

/** The API error, as a local exception. `code` is the contract's `ErrorCode`. */
export class ApiCallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }

  static from(error: ApiError): ApiCallError {
    return new ApiCallError(error.code, error.message);
  }
}

/** What a transport provides: send a call, deliver whatever the server sends, close. */
export interface Transport {
  send(message: CallMessage): void;
  onMessage(listener: (message: ServerMessage) => void): void;
  /** Called when the transport is gone for good; pending calls fail with UNAVAILABLE. */
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: ApiCallError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createRpcClient(transport: Transport, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): ApiClient {
  let nextId = 1;
  let closedReason: string | null = null;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(data: never) => void>>();

  const failAll = (reason: string) => {
    closedReason ??= reason;
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(new ApiCallError('UNAVAILABLE', reason));
      pending.delete(id);
    }
  };

  transport.onMessage((message) => {
    if (message.kind === 'event') {
      for (const listener of listeners.get(message.event) ?? []) listener(message.data as never);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return; // a reply after its timeout
    pending.delete(message.id);
    clearTimeout(call.timer);
    if (message.kind === 'result') call.resolve(message.result);
    else call.reject(ApiCallError.from(message.error));
  });
  transport.onClose(failAll);

  return {
    call<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
      if (closedReason !== null) return Promise.reject(new ApiCallError('UNAVAILABLE', closedReason));
      const id = nextId++;
      return new Promise<Result<M>>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ApiCallError('TIMEOUT', `${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        transport.send({ kind: 'call', id, method, params: params ?? {} });
      });
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (data: never) => void);
      return () => set.delete(listener as (data: never) => void);
    },
    close() {
      failAll('client closed');
      transport.close();
    },
  };
}
