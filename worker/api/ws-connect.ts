/**
 * A Node client of a running node's control API over its WebSocket, from its dashboard link (the one with
 * `?token=`), as `airtist status` and the swarm connect. The origin header is the node's own, as a browser
 * tab on its dashboard would send.
 */
import WebSocket from 'ws';
import type { ApiClient, ServerMessage } from './contract.js';
import { createRpcClient } from './rpc-client.js';

export async function connectWebSocket(dashboardUrl: string, timeoutMs?: number): Promise<ApiClient> {
  const parsed = new URL(dashboardUrl);
  const ws = new WebSocket(`ws://${parsed.host}/api/ws?token=${parsed.searchParams.get('token')}`, { headers: { origin: parsed.origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return createRpcClient(
    {
      send: (message) => ws.send(JSON.stringify(message)),
      onMessage: (listener) => ws.on('message', (data) => listener(JSON.parse(data.toString()) as ServerMessage)),
      onClose: (listener) => ws.on('close', () => listener('socket closed')),
      close: () => ws.close(),
    },
    timeoutMs,
  );
}
