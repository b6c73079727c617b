/** Watches an in-process node's hub like a client: its state changes and recorded work, and waits on them. */
import type { EventMessage, StateInfo, WorkUnit } from '../../worker/api/contract.js';
import type { MinerNode } from '../../worker/node.js';

export interface NodeEvents {
  states: StateInfo[];
  units: WorkUnit[];
  /** Resolves once `condition` holds, re-checked at every event. */
  until(condition: () => boolean): Promise<void>;
}

export function watchNode(node: Pick<MinerNode, 'hub'>): NodeEvents {
  const states: StateInfo[] = [];
  const units: WorkUnit[] = [];
  const waiters: Array<() => void> = [];
  node.hub.connect((message) => {
    const event = message as EventMessage;
    if (event.kind !== 'event') return;
    if (event.event === 'state') states.push(event.data as StateInfo);
    if (event.event === 'work') units.push(event.data as WorkUnit);
    waiters.splice(0).forEach((wake) => wake());
  });
  return {
    states,
    units,
    async until(condition) {
      while (!condition()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
