/** Words for people, shared by the dashboard and the tray. Pure. */
import type { NodeState } from './contract.js';

export const STATE_LABELS: Record<NodeState, string> = {
  starting: 'Starting',
  training: 'Training',
  paused: 'Paused',
  stopping: 'Stopping',
  error: 'Error',
};
