import { describe, expect, it } from 'vitest';
import type { StateCause } from '../../../../../worker/api/contract.js';
import { causeText } from '../../../../../renderer/src/lib/state-cause.js';
import { deriveState, startingFacts, type NodeFacts } from '../../../../../worker/state.js';

const facts = (overrides: Partial<NodeFacts>): NodeFacts => ({ ...startingFacts(), phase: 'running', ...overrides });
const schedule = (reason: Extract<StateCause, { kind: 'schedule' }>['reason'], extra: Partial<Extract<StateCause, { kind: 'schedule' }>> = {}): StateCause => ({
  kind: 'schedule',
  reason,
  until: null,
  temperatureC: null,
  ...extra,
});

describe('causeText', () => {
  it('words what the node says in its own English, from the cause alone', () => {
    // The node's sentence and the dashboard's words say the same, for every state the node derives.
    const cases: NodeFacts[] = [
      facts({ phase: 'starting' }),
      facts({}),
      facts({ trainerPaused: true }),
      facts({ trainerPaused: true, pausedBy: 'settings' }),
      facts({ phase: 'stopping' }),
      facts({ phase: 'failed' }),
      facts({ pauseAfterRound: 12 }),
      facts({ trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'battery', text: 'Paused: on battery' } }),
      facts({ trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'in-use', text: 'Paused: you are using the computer' } }),
      facts({ trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'outside-schedule', text: 'Waiting: outside your schedule' } }),
      facts({ trainerPaused: true, schedule: { train: false, intensity: 0, reason: 'hot', text: 'Paused: the CPU is hot (91 °C), cooling down', temperatureC: 90.6 } }),
      facts({ trainerPaused: true, ledgerBlock: { kind: 'error', message: 'SQLITE_IOERR' } }),
    ];
    for (const state of cases.map(deriveState)) {
      const words = causeText(state.cause);
      expect(words, state.reasonText).not.toBe('');
      expect(state.reasonText.toLowerCase(), state.cause.kind).toContain(words.toLowerCase());
    }
  });

  it('says a pause for a while in the reader’s clock, and in days past one', () => {
    const now = Date.UTC(2026, 11, 7, 12, 0);
    const until = now + 90 * 60_000;
    const clock = new Date(until).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    expect(causeText(schedule('paused-until', { until }), now)).toBe(`by you until ${clock}`);
    expect(causeText(schedule('paused-until', { until: now + 3 * 24 * 3600_000 }), now)).toBe('by you for 3 days');
    expect(causeText(schedule('paused-until', { until: now + 24 * 3600_000 }), now)).toBe('by you for 1 day');
  });

  it('puts the numbers the node measured into the words: heat, free space, the round', () => {
    expect(causeText(schedule('hot', { temperatureC: 88.4 }))).toBe('the CPU is hot (88 °C), cooling down');
    expect(causeText({ kind: 'disk-full', freeBytes: 12_000_000, neededBytes: 40_000_000 })).toBe('the disk is full (12 MB free, a checkpoint needs 40 MB)');
    expect(causeText({ kind: 'disk-full', freeBytes: 3_000_000, neededBytes: null })).toBe('the disk is full (3 MB free; the ledger needs room to record work)');
    expect(causeText({ kind: 'finishing-round', round: 7 })).toBe('finishing round 7, then pausing');
  });
});
