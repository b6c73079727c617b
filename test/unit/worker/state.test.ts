import { describe, expect, it } from 'vitest';
import { deriveState, startingFacts, type NodeFacts } from '../../../worker/state.js';

const running: NodeFacts = { ...startingFacts(), phase: 'running' };
const full = { freeBytes: 0, neededBytes: 13_500_000 };

describe('deriveState', () => {
  it.each<[string, Partial<NodeFacts>, string, string, RegExp]>([
    ['training', {}, 'training', 'running', /^Training on your shard$/],
    ['finishing the round before a pause', { pauseAfterRound: 12 }, 'training', 'running', /^Finishing round 12, then pausing$/],
    ['the round finished and the pause confirmed', { pauseAfterRound: null, userPaused: true, trainerPaused: true }, 'paused', 'user', /^Paused by you$/],
    ['starting', { phase: 'starting' }, 'starting', 'loading', /Loading/],
    ['stopping wins over everything', { phase: 'stopping', userPaused: true, trainerPaused: true }, 'stopping', 'shutdown', /Shutting down/],
    ['a failed trainer', { phase: 'failed', checkpointDisk: full }, 'error', 'failure', /after an error/],
    ['paused by the user, confirmed', { userPaused: true, trainerPaused: true }, 'paused', 'user', /^Paused by you$/],
    ['start paused', { userPaused: true, pausedBy: 'settings', trainerPaused: true }, 'paused', 'settings', /started paused/],
    // The trainer's real state until it confirms the call: still training.
    ['a pause not yet confirmed', { userPaused: true }, 'training', 'running', /Training/],
    ['a resume not yet confirmed', { trainerPaused: true }, 'paused', 'user', /Paused by you/],
    ['the checkpoint disk full', { checkpointDisk: full }, 'paused', 'disk', /^Paused: the disk is full \(0 MB free, a checkpoint needs 13 MB\)$/],
    ['the ledger disk full', { trainerPaused: true, ledgerBlock: { kind: 'disk-full', freeBytes: 2_400_000 } }, 'paused', 'disk', /\(2 MB free; the ledger needs room/],
    ['a ledger error', { trainerPaused: true, ledgerBlock: { kind: 'error', message: 'database is locked' } }, 'paused', 'disk', /cannot record work \(database is locked\)/],
    ['the user and the ledger', { userPaused: true, trainerPaused: true, ledgerBlock: { kind: 'disk-full', freeBytes: 0 } }, 'paused', 'user', /Paused by you/],
    ['held by the schedule, in its words', { trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'battery', text: 'Paused: on battery' } }, 'paused', 'schedule', /^Paused: on battery$/],
    ['the user outranks the schedule', { userPaused: true, trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'battery', text: 'Paused: on battery' } }, 'paused', 'user', /^Paused by you$/],
    ['the schedule outranks the disk', { trainerPaused: true, ledgerBlock: { kind: 'disk-full', freeBytes: 0 }, schedule: { train: false, intensity: 0, reason: 'battery', text: 'Waiting: outside your schedule' } }, 'paused', 'schedule', /outside your schedule/],
    ['a pause for a while is the user\'s', { trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'paused-until', text: 'Paused by you until 15:00' } }, 'paused', 'user', /^Paused by you until 15:00$/],
    ['a schedule hold not yet confirmed: still training', { schedule: { train: false, intensity: 0, reason: 'battery', text: 'Paused: on battery' } }, 'training', 'running', /Training/],
  ])('%s', (_, facts, state, reason, text) => {
    const derived = deriveState({ ...running, ...facts });
    expect(derived).toMatchObject({ state, reason });
    expect(derived.reasonText).toMatch(text);
  });
});
