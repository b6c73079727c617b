/**
 * The Electron transport: `window.airtist` (an `AirtistBridge` exposed by the preload through contextBridge)
 * wrapped into the renderer's `ApiClient`. Ids and timeouts live on the other side of the bridge; this
 * adapter types results, turns rejections back into `ApiCallError`s and tracks its own listeners so that
 * `close()` leaves nothing subscribed.
 */
import type {
  AirtistBridge,
  ApiClient,
  ErrorCode,
  EventName,
  Events,
  Method,
  Params,
  Result,
} from '../../../worker/api/contract.js';
import { ApiCallError } from '../../../worker/api/rpc-client.js';
import { strings } from './strings.js';

const ERROR_CODES: readonly ErrorCode[] = [
  'BAD_MESSAGE',
  'UNKNOWN_METHOD',
  'INVALID_PARAMS',
  'TIMEOUT',
  'UNAVAILABLE',
  'INTERNAL',
];

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Whatever the bridge rejected with, as an `ApiCallError`. contextBridge copies a plain `{code, message}`
 * object intact but strips custom properties from `Error`s, so a code may also arrive as a `CODE: text`
 * prefix of the message.
 */
export function toApiCallError(reason: unknown): ApiCallError {
  if (reason instanceof ApiCallError) return reason;
  if (typeof reason === 'object' && reason !== null) {
    const { code, message } = reason as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : strings.connection.didNotAnswer;
    if (isErrorCode(code)) return new ApiCallError(code, text);
    const prefixed = /^(?:Error: )?([A-Z_]+): ([\s\S]*)$/.exec(text);
    if (prefixed && isErrorCode(prefixed[1])) return new ApiCallError(prefixed[1], prefixed[2] ?? '');
    return new ApiCallError('INTERNAL', text);
  }
  return new ApiCallError('INTERNAL', typeof reason === 'string' ? reason : strings.connection.didNotAnswer);
}

export function isAirtistBridge(value: unknown): value is AirtistBridge {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { call?: unknown; on?: unknown };
  return typeof candidate.call === 'function' && typeof candidate.on === 'function';
}

export function createBridgeClient(bridge: AirtistBridge): ApiClient {
  let closed = false;
  const unsubscribers = new Set<() => void>();

  return {
    async call<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
      if (closed) throw new ApiCallError('UNAVAILABLE', strings.connection.clientClosed);
      try {
        return (await bridge.call(method, params ?? {})) as Result<M>;
      } catch (error) {
        throw toApiCallError(error);
      }
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
      if (closed) return () => {};
      const off = bridge.on(event, (data) => listener(data as Events[E]));
      const unsubscribe = () => {
        if (unsubscribers.delete(unsubscribe)) off();
      };
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    },
    close() {
      closed = true;
      for (const unsubscribe of [...unsubscribers]) unsubscribe();
    },
  };
}
