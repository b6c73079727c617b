/**
 * The node's state as people and tools see it, derived from facts — never set by a call — so it always
 * says what the trainer really does and why. Pure: table-tested.
 */
import type { StateCause, StateInfo } from './api/contract.js';
import type { Decision } from './scheduler/scheduler.js';
import type { LedgerBlock } from './ledger/work-recorder.js';
import type { DiskFull } from './training/protocol.js';

export interface NodeFacts {
  phase: 'starting' | 'running' | 'failed' | 'stopping';
  /** The user's last call (or starting paused: the setting or `--paused`), and which of the two it was. */
  userPaused: boolean;
  pausedBy: 'user' | 'settings';
  /** What the trainer last confirmed. */
  trainerPaused: boolean;
  /** The checkpoint's disk has no room: the trainer holds its work. */
  checkpointDisk: DiskFull | null;
  /** The ledger cannot record: the node holds the trainer. */
  ledgerBlock: LedgerBlock | null;
  /** The scheduler's decision (scheduler/): when it says not to train, the node holds the trainer. */
  schedule: Pick<Decision, 'train' | 'intensity' | 'reason' | 'text' | 'until' | 'temperatureC'> | null;
  /** "Finish the round, then pause": the round whose contribution the user waits for (null: not asked). */
  pauseAfterRound: number | null;
}

/** The facts of a node that is starting: nothing paused, held or asked for yet. */
export const startingFacts = (): NodeFacts => ({
  phase: 'starting',
  userPaused: false,
  pausedBy: 'user',
  trainerPaused: false,
  checkpointDisk: null,
  ledgerBlock: null,
  schedule: null,
  pauseAfterRound: null,
});

type PlainReason = Exclude<StateInfo['reason'], 'disk' | 'schedule'>;

const PLAIN: Record<PlainReason, { text: string; cause: StateCause }> = {
  loading: { text: 'Loading the model and data', cause: { kind: 'loading' } },
  running: { text: 'Training on your shard', cause: { kind: 'running' } },
  user: { text: 'Paused by you', cause: { kind: 'paused-by-user' } },
  settings: { text: 'Paused: started paused (Resume starts training)', cause: { kind: 'start-paused' } },
  shutdown: { text: 'Shutting down', cause: { kind: 'shutdown' } },
  failure: { text: 'Training stopped after an error', cause: { kind: 'failure' } },
};

const megabytes = (bytes: number) => `${Math.floor(bytes / 1e6)} MB`;

/** A node held by its disk; training resumes by itself when there is room again. */
function heldByDisk(checkpoint: DiskFull | null, ledger: LedgerBlock | null): StateInfo {
  const held = (cause: StateCause, reasonText: string): StateInfo => ({ state: 'paused', reason: 'disk', cause, reasonText });
  if (ledger?.kind === 'error') return held({ kind: 'ledger-error', message: ledger.message }, `Paused: the ledger cannot record work (${ledger.message}); retrying`);
  if (ledger) return held({ kind: 'disk-full', freeBytes: ledger.freeBytes, neededBytes: null }, `Paused: the disk is full (${megabytes(ledger.freeBytes)} free; the ledger needs room to record work)`);
  const { freeBytes, neededBytes } = checkpoint!;
  return held({ kind: 'disk-full', freeBytes, neededBytes }, `Paused: the disk is full (${megabytes(freeBytes)} free, a checkpoint needs ${megabytes(neededBytes)})`);
}

const info = (state: StateInfo['state'], reason: PlainReason): StateInfo => ({ state, reason, cause: PLAIN[reason].cause, reasonText: PLAIN[reason].text });

export function deriveState(facts: NodeFacts): StateInfo {
  if (facts.phase === 'starting') return info('starting', 'loading');
  if (facts.phase === 'stopping') return info('stopping', 'shutdown');
  if (facts.phase === 'failed') return info('error', 'failure');
  // A user's pause outranks the schedule, and the schedule the disk: each is the first reason nothing trains.
  const scheduled = facts.schedule !== null && !facts.schedule.train && !facts.userPaused;
  // A pause for a while is the user's own ("Paused by you until 15:00"); the rest are the schedule's.
  if (facts.trainerPaused && scheduled) {
    const { reason, text, until, temperatureC } = facts.schedule!;
    const cause: StateCause = { kind: 'schedule', reason, until: until ?? null, temperatureC: temperatureC ?? null };
    return { state: 'paused', reason: reason === 'paused-until' ? 'user' : 'schedule', cause, reasonText: text };
  }
  const diskHolds = facts.trainerPaused ? facts.ledgerBlock !== null && !facts.userPaused : facts.checkpointDisk !== null;
  if (diskHolds) return heldByDisk(facts.checkpointDisk, facts.ledgerBlock);
  if (!facts.trainerPaused && facts.pauseAfterRound !== null) {
    const round = facts.pauseAfterRound;
    return { state: 'training', reason: 'running', cause: { kind: 'finishing-round', round }, reasonText: `Finishing round ${round}, then pausing` };
  }
  return facts.trainerPaused ? info('paused', facts.pausedBy) : info('training', 'running');
}

export const sameState = (a: StateInfo, b: StateInfo) =>
  a.state === b.state && a.reason === b.reason && a.reasonText === b.reasonText && JSON.stringify(a.cause) === JSON.stringify(b.cause);
