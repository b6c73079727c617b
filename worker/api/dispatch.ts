/**
 * Server side of the control API: decode a call, validate its params against the contract, run the handler,
 * and turn every outcome into a plain reply. Never throws: bad input becomes an error reply and is counted.
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

export type Handlers = { [M in Method]: (params: ParsedParams<M>) => Promise<Result<M>> | Result<M> };

export interface DispatchStats {
  calls: number;
  rejected: Record<'BAD_MESSAGE' | 'UNKNOWN_METHOD' | 'INVALID_PARAMS' | 'INTERNAL', number>;
}

export interface Dispatcher {
  /** Handle one raw message (a JSON string or an already-structured object). `null` if there is nothing to answer. */
  handle(raw: unknown): Promise<ReplyMessage | null>;
  readonly stats: DispatchStats;
}

function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.hasOwn(paramsSchemas, name);
}

export function createDispatcher(handlers: Handlers, log: (message: string) => void = () => {}): Dispatcher {
  const stats: DispatchStats = {
    calls: 0,
    rejected: { BAD_MESSAGE: 0, UNKNOWN_METHOD: 0, INVALID_PARAMS: 0, INTERNAL: 0 },
  };

  const fail = (id: number, error: ApiError & { code: keyof DispatchStats['rejected'] }): ReplyMessage => {
    stats.rejected[error.code]++;
    return { kind: 'error', id, error };
  };

  async function handle(raw: unknown): Promise<ReplyMessage | null> {
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
      return fail(id, { code: 'UNKNOWN_METHOD', message: `unknown method: ${String(method).slice(0, 64)}` });
    }
    const parsed = paramsSchemas[method].safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail(id, { code: 'INVALID_PARAMS', message: `${method}: ${where}${issue?.message ?? 'invalid params'}` });
    }
    stats.calls++;
    try {
      const handler = handlers[method] as (params: unknown) => unknown;
      const result = await handler(parsed.data);
      return { kind: 'result', id, result: result ?? null };
    } catch (error) {
      log(`api: ${method} failed: ${(error as Error)?.stack ?? String(error)}`);
      return fail(id, { code: 'INTERNAL', message: `${method} failed: ${(error as Error)?.message ?? String(error)}` });
    }
  }

  return { handle, stats };
}
