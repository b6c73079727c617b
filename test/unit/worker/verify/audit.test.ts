/**
 * The audit sample when a round has more contributions than the leader can score: newcomers first, never
 * accepted unscored; reputed peers drawn by the base hash, the rest accepted on their record.
 */
import { describe, expect, it } from 'vitest';
import { planAudit, TRUST_MIN } from '../../../../worker/verify/audit.js';

const c = (n: number) => ({ hash: `${n}`.padStart(64, '0'), peerId: `peer-${n}` });
const reputed = (...ns: number[]) => ns.map((n) => ({ peer: `peer-${n}`, ppm: TRUST_MIN + n * 1000 })).sort((a, b) => (a.peer < b.peer ? -1 : 1));

describe('the audit plan', () => {
  it('scores everyone when the budget allows', () => {
    const all = [1, 2, 3].map(c);
    expect(planAudit(all, [], 3, 'b'.repeat(64))).toEqual({ scored: all, trusted: [], waiting: [] });
  });

  it('scores newcomers first, leaves the newcomers past the budget waiting, and trusts no newcomer', () => {
    const plan = planAudit([1, 2, 3, 4, 5].map(c), reputed(4, 5), 2, 'b'.repeat(64));
    expect(plan.scored).toHaveLength(2);
    expect(plan.scored.every((x) => ['peer-1', 'peer-2', 'peer-3'].includes(x.peerId))).toBe(true);
    expect(plan.waiting).toHaveLength(1);
    expect(plan.trusted.map(({ c: x, score }) => [x.peerId, score]).sort()).toEqual([['peer-4', (TRUST_MIN + 4000) / 1e6], ['peer-5', (TRUST_MIN + 5000) / 1e6]]);
  });

  it('audits reputed peers in an order drawn from the base: another base draws others', () => {
    const all = Array.from({ length: 12 }, (_, i) => c(i + 1));
    const table = reputed(...all.map((_, i) => i + 1));
    const drawn = (base: string) => planAudit(all, table, 4, base).scored.map((x) => x.peerId).sort();
    expect(drawn('a'.repeat(64))).toHaveLength(4);
    expect(drawn('a'.repeat(64))).toEqual(drawn('a'.repeat(64)));
    const bases = ['a', 'b', 'c', 'd', 'e'].map((x) => drawn(x.repeat(64)).join());
    expect(new Set(bases).size).toBeGreaterThan(1);
    // Whatever the order given, the same plan.
    expect(planAudit([...all].reverse(), table, 4, 'a'.repeat(64)).scored.map((x) => x.peerId).sort()).toEqual(drawn('a'.repeat(64)));
    const plan = planAudit(all, table, 4, 'a'.repeat(64));
    expect(plan.scored.length + plan.trusted.length + plan.waiting.length).toBe(12);
    expect(plan.waiting).toEqual([]);
  });
});
