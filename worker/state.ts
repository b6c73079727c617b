/**
 * The node's state as people and tools see it, derived from facts — never set by a call — so it always
 * says what the trainer really does and why. Pure: table-tested.
 */
import type { StateInfo } from './api/contract.js';
import type { LedgerBlock } from './ledger/work-recorder.js';
import type { DiskFull } from './training/protocol.js';

export interface NodeFacts {
  phase: 'starting' | 'running' | 'failed' | 'stopping';
  /** The user's last call (or the start-paused setting), and which of the two it was. */
  userPaused: boolean;
  pausedBy: 'user' | 'settings';
  /** What the trainer last confirmed. */
  trainerPaused: boolean;
  /** The checkpoint's disk has no room: the trainer holds its work. */
  checkpointDisk: DiskFull | null;
  /** The ledger cannot record: the node holds the trainer. */
  ledgerBlock: LedgerBlock | null;
  /** The scheduler's decision (scheduler/): when it says not to train, the node holds the trainer. */
  schedule: { train: boolean; intensity: number; reason: string; text: string } | null;
  /** "Finish the round, then pause": the round whose contribution the user waits for (null: not asked). */
  pauseAfterRound: number | null;
}

const REASON_TEXT: Record<Exclude<StateInfo['reason'], 'disk' | 'schedule'>, string> = {
  loading: 'Loading the model and data',
  running: 'Training on your shard',
  user: 'Paused by you',
  settings: 'Paused: start paused is on',
  shutdown: 'Shutting down',
  failure: 'Training stopped after an error',
};

const megabytes = (bytes: number) => `${Math.floor(bytes / 1e6)} MB`;

/** The sentence for a node held by its disk; training resumes by itself when there is room again. */
function diskText(checkpoint: DiskFull | null, ledger: LedgerBlock | null): string {
  if (ledger?.kind === 'error') return `Paused: the ledger cannot record work (${ledger.message}); retrying`;
  if (ledger) return `Paused: the disk is full (${megabytes(ledger.freeBytes)} free; the ledger needs room to record work)`;
  return `Paused: the disk is full (${megabytes(checkpoint!.freeBytes)} free, a checkpoint needs ${megabytes(checkpoint!.neededBytes)})`;
}

const info = (state: StateInfo['state'], reason: Exclude<StateInfo['reason'], 'disk' | 'schedule'>): StateInfo => ({
  state,
  reason,
  reasonText: REASON_TEXT[reason],
});

export function deriveState(facts: NodeFacts): StateInfo {
  if (facts.phase === 'starting') return info('starting', 'loading');
  if (facts.phase === 'stopping') return info('stopping', 'shutdown');
  if (facts.phase === 'failed') return info('error', 'failure');
  // A user's pause outranks the schedule, and the schedule the disk: each is the first reason nothing trains.
  const scheduled = facts.schedule !== null && !facts.schedule.train && !facts.userPaused;
  // A pause for a while is the user's own ("Paused by you until 15:00"); the rest are the schedule's.
  if (facts.trainerPaused && scheduled) return { state: 'paused', reason: facts.schedule!.reason === 'paused-until' ? 'user' : 'schedule', reasonText: facts.schedule!.text };
  const heldByDisk = facts.trainerPaused ? facts.ledgerBlock !== null && !facts.userPaused : facts.checkpointDisk !== null;
  if (heldByDisk) return { state: 'paused', reason: 'disk', reasonText: diskText(facts.checkpointDisk, facts.ledgerBlock) };
  if (!facts.trainerPaused && facts.pauseAfterRound !== null) {
    return { state: 'training', reason: 'running', reasonText: `Finishing round ${facts.pauseAfterRound}, then pausing` };
  }
  return facts.trainerPaused ? info('paused', facts.pausedBy) : info('training', 'running');
}

export const sameState = (a: StateInfo, b: StateInfo) => a.state === b.state && a.reason === b.reason && a.reasonText === b.reasonText;
