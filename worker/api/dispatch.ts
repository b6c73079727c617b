/**
 * Server side of the control API: decode a call, validate its params against the contract, run the handler,
 * and turn every outcome into a plain reply. Never throws and never rejects: bad input becomes an error reply
 * and is counted, and so does anything that goes wrong on the way (a bug must not become a crash).
 */
import {
  MAX_CALL_BYTES,
  paramsSchemas,
  type ApiError,
  type Method,
  type ParsedParams,
  type ReplyMessage,
  type Result,
} from './contract.js';

/** Thrown by a handler that refuses a call for a reason the user can act on: answered as REFUSED, not logged. */
export class ApiRefusal extends Error {
  override name = 'ApiRefusal';
}

export type Handlers = { [M in Method]: (params: ParsedParams<M>) => Promise<Result<M>> | Result<M> };

export interface DispatchStats {
  calls: number;
  rejected: Record<'BAD_MESSAGE' | 'UNKNOWN_METHOD' | 'INVALID_PARAMS' | 'REFUSED' | 'INTERNAL', number>;
}

export interface Dispatcher {
  /**
   * Handle one raw message (a JSON string or an already-structured object). `null` if there is nothing to
   * answer. Never rejects, whatever `raw` is.
   */
  handle(raw: unknown): Promise<ReplyMessage | null>;
  readonly stats: DispatchStats;
}

function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.hasOwn(paramsSchemas, name);
}

/** Names an untrusted value for an error message without calling anything on it (its `toString` may throw). */
function describe(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, 64);
  if (Array.isArray(value)) return '(an array)';
  return value === null ? '(null)' : `(a ${typeof value})`;
}

/** The text of anything thrown, even a value whose `message` or `toString` throws. */
export function errorText(error: unknown, withStack = false): string {
  try {
    if (error instanceof Error) return String((withStack && error.stack) || error.message);
    return String(error);
  } catch {
    return '(an unprintable error)';
  }
}

export function createDispatcher(handlers: Handlers, log: (message: string) => void = () => {}): Dispatcher {
  const stats: DispatchStats = {
    calls: 0,
    rejected: { BAD_MESSAGE: 0, UNKNOWN_METHOD: 0, INVALID_PARAMS: 0, REFUSED: 0, INTERNAL: 0 },
  };

  const fail = (id: number, error: ApiError & { code: keyof DispatchStats['rejected'] }): ReplyMessage => {
    stats.rejected[error.code]++;
    return { kind: 'error', id, error };
  };

  async function dispatch(raw: unknown): Promise<ReplyMessage | null> {
    let message: unknown = raw;
    if (typeof raw === 'string') {
      if (raw.length > MAX_CALL_BYTES) return fail(0, { code: 'BAD_MESSAGE', message: 'message too large' });
      try {
        message = JSON.parse(raw);
      } catch {
        return fail(0, { code: 'BAD_MESSAGE', message: 'message is not JSON' });
      }
    }
    if (typeof message !== 'object' || message === null || (message as { kind?: unknown }).kind !== 'call') {
      return fail(0, { code: 'BAD_MESSAGE', message: 'expected {kind: "call", id, method, params}' });
    }
    const { id, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      return fail(0, { code: 'BAD_MESSAGE', message: 'call id must be an integer' });
    }
    if (!isMethod(method)) {
      return fail(id, { code: 'UNKNOWN_METHOD', message: `unknown method: ${describe(method)}` });
    }
    const parsed = paramsSchemas[method].safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
      return fail(id, { code: 'INVALID_PARAMS', message: `${method}: ${where}${issue?.message ?? 'invalid params'}` });
    }
    stats.calls++;
    try {
      const handler = handlers[method] as (params: unknown) => unknown;
      const result = await handler(parsed.data);
      return { kind: 'result', id, result: result ?? null };
    } catch (error) {
      if (error instanceof ApiRefusal) return fail(id, { code: 'REFUSED', message: error.message });
      log(`api: ${method} failed: ${errorText(error, true)}`);
      return fail(id, { code: 'INTERNAL', message: `${method} failed: ${errorText(error)}` });
    }
  }

  async function handle(raw: unknown): Promise<ReplyMessage | null> {
    try {
      return await dispatch(raw);
    } catch (error) {
      // Only a bug or a hostile structured object (a throwing getter) gets here; the id may be unreadable.
      log(`api: a message could not be handled: ${errorText(error, true)}`);
      return fail(0, { code: 'INTERNAL', message: 'the message could not be handled' });
    }
  }

  return { handle, stats };
}
