/** The connection to the node as the UI shows it, whatever the transport. */
import type { ApiClient } from '../../../worker/api/contract.js';
import { strings } from './strings.js';

export type ConnectionPhase =
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'unauthorized'
  /** No way to reach a node from this page (e.g. opened from disk without the desktop app). */
  | 'unavailable'
  | 'closed';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** Failed attempts since the last good connection. */
  attempt: number;
  /** When the next attempt starts (Unix ms), while reconnecting. */
  retryAt: number | null;
  /** A sentence for people. */
  message: string;
}

/** What the dashboard programs against: the API plus the state of the line to the node. */
export interface DashboardClient extends ApiClient {
  readonly transport: 'bridge' | 'websocket' | 'none';
  readonly connection: ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Skip the backoff wait and try now. */
  retryNow(): void;
  /** Use another access token (WebSocket only) and reconnect. */
  setToken(token: string): void;
  /** Restarts the miner (the desktop app's worker); null where the page cannot (a browser tab of `airtist node`). */
  readonly restartMiner: (() => Promise<void>) | null;
}

export const UNAUTHORIZED_MESSAGE = strings.connection.unauthorized;
