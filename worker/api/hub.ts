/**
 * Fans the control API out to any number of connections (WebSockets, MessagePorts): every connection gets
 * the replies to its own calls and every pushed event. Transports only move messages; all meaning is here.
 */
import type { EventMessage, EventName, Events, ServerMessage } from './contract.js';
import { createDispatcher, type Dispatcher, type Handlers } from './dispatch.js';

/** One client as a transport sees it. */
export interface Connection {
  /** Hands an incoming raw message (JSON text or a structured object) to the API. */
  receive(raw: unknown): void;
  close(): void;
}

export interface ApiHub {
  readonly dispatcher: Dispatcher;
  /** Opens a connection whose outgoing messages go to `send`. */
  connect(send: (message: ServerMessage) => void): Connection;
  publish<E extends EventName>(event: E, data: Events[E]): void;
  readonly connections: number;
}

export function createApiHub(handlers: Handlers, log: (message: string) => void = () => {}): ApiHub {
  const dispatcher = createDispatcher(handlers, log);
  const senders = new Set<(message: ServerMessage) => void>();

  return {
    dispatcher,
    get connections() {
      return senders.size;
    },
    connect(send) {
      senders.add(send);
      return {
        receive(raw) {
          void dispatcher.handle(raw).then((reply) => {
            if (reply && senders.has(send)) send(reply);
          });
        },
        close() {
          senders.delete(send);
        },
      };
    },
    publish(event, data) {
      const message: EventMessage = { kind: 'event', event, data };
      for (const send of senders) {
        try {
          send(message);
        } catch (error) {
          log(`api: dropping an event for a broken connection: ${(error as Error).message}`);
        }
      }
    },
  };
}
