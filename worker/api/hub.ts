/**
 * Fans the control API out to any number of connections (WebSockets, MessagePorts): every connection gets
 * the replies to its own calls and every pushed event. Transports only move messages; all meaning is here.
 */
import type { EventMessage, EventName, Events, ServerMessage } from './contract.js';
import { createDispatcher, errorText, type Dispatcher, type Handlers } from './dispatch.js';

/** One client as a transport sees it. */
export interface Connection {
  /** Hands an incoming raw message (JSON text or a structured object) to the API. Never throws. */
  receive(raw: unknown): void;
  close(): void;
}

export interface ApiHub {
  readonly dispatcher: Dispatcher;
  /** Opens a connection whose outgoing messages go to `send`. */
  connect(send: (message: ServerMessage) => void): Connection;
  publish<E extends EventName>(event: E, data: Events[E]): void;
  readonly connections: number;
  /** Replies and events that a connection's `send` failed to take (a broken transport, an unsendable value). */
  readonly dropped: number;
}

export function createApiHub(handlers: Handlers, log: (message: string) => void = () => {}): ApiHub {
  const dispatcher = createDispatcher(handlers, log);
  const senders = new Set<(message: ServerMessage) => void>();
  let dropped = 0;

  // A transport's send may throw (a closed socket, a value JSON cannot encode): that costs the message only.
  const deliver = (send: (message: ServerMessage) => void, message: ServerMessage) => {
    try {
      send(message);
    } catch (error) {
      dropped++;
      log(`api: dropping a ${message.kind} for a broken connection: ${errorText(error)}`);
    }
  };

  return {
    dispatcher,
    get connections() {
      return senders.size;
    },
    get dropped() {
      return dropped;
    },
    connect(send) {
      senders.add(send);
      return {
        receive(raw) {
          dispatcher.handle(raw).then(
            (reply) => {
              if (reply && senders.has(send)) deliver(send, reply);
            },
            // handle() never rejects; should it ever, that is an unanswered INTERNAL failure, not a crash.
            (error: unknown) => {
              dispatcher.stats.rejected.INTERNAL++;
              log(`api: a message failed unhandled: ${errorText(error, true)}`);
            },
          );
        },
        close() {
          senders.delete(send);
        },
      };
    },
    publish(event, data) {
      const message: EventMessage = { kind: 'event', event, data };
      for (const send of senders) deliver(send, message);
    },
  };
}
