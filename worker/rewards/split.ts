/**
 * One round's emission split among its accepted contributions by credited work (samples × quality), with no
 * peer taking more than its cap. Pure integer arithmetic, in a fixed order, so every peer that holds the same
 * commit credits the same wei to the same contribution.
 *
 * - A contribution's work is its samples times its quality (the commit's score, clamped to [0, 1], in
 *   millionths): a peer that trained more, better, earns more; a score of 0 earns nothing.
 * - The cap is water-filled: a peer whose share would pass its cap gets the cap, and what it leaves is shared
 *   among the others by their work, again, until nobody passes. Each peer's cap is the run's (`peerCapBps` of
 *   the emission) times its share in millionths (`capShare`: its reputation's, verify/reputation.ts).
 * - Division remainders go one wei at a time to the largest remainders (ties: the lower contribution hash),
 *   never past a cap. What nobody may take — every peer capped, no work at all, or a contribution without a
 *   reward address — is `unallocated`: it is not minted, and stays in the mining allocation.
 *
 * So `sum(credits) + unallocated === emission`, to the wei, in every round.
 */

export interface Credited {
  /** sha256 of the contribution's signed header. */
  hash: string;
  peer: string;
  /** The EVM address in its signed header (lowercase 0x-hex), or null when the contributor gave none. */
  address: string | null;
  samples: number;
  score: number;
}

export interface RoundSplit {
  /** Wei per contribution, in the order given. */
  credits: Array<{ hash: string; peer: string; address: string | null; wei: bigint }>;
  unallocated: bigint;
}

const QUALITY_SCALE = 1_000_000;

/** A score as the integer quality the split uses: millionths in [0, 1,000,000]; not finite → 0. */
export function qualityOf(score: number): bigint {
  if (!Number.isFinite(score) || score <= 0) return 0n;
  return BigInt(Math.round(Math.min(score, 1) * QUALITY_SCALE));
}

export function splitRound(emission: bigint, contributions: readonly Credited[], peerCapBps: number, capShare: (peer: string) => number = () => QUALITY_SCALE): RoundSplit {
  if (emission < 0n) throw new RangeError('a negative emission');
  if (!Number.isInteger(peerCapBps) || peerCapBps < 1 || peerCapBps > 10_000) throw new RangeError(`peerCapBps must be 1..10000, not ${peerCapBps}`);
  const caps = new Map<string, bigint>();
  const capOf = (peer: string): bigint => {
    let cap = caps.get(peer);
    if (cap === undefined) {
      const share = capShare(peer);
      if (!Number.isInteger(share) || share < 0 || share > QUALITY_SCALE) throw new RangeError(`the cap share of ${peer} must be 0..${QUALITY_SCALE}, not ${share}`);
      cap = (emission * BigInt(peerCapBps) * BigInt(share)) / (10_000n * BigInt(QUALITY_SCALE));
      caps.set(peer, cap);
    }
    return cap;
  };

  // Work per peer (a peer's contributions of one round share one cap), in a fixed order: by peer id.
  const work = new Map<string, bigint>();
  for (const c of contributions) {
    if (!Number.isSafeInteger(c.samples) || c.samples < 0) throw new RangeError(`contribution ${c.hash}: samples must be a whole number ≥ 0`);
    work.set(c.peer, (work.get(c.peer) ?? 0n) + BigInt(c.samples) * qualityOf(c.score));
  }
  const peers = [...work.keys()].filter((peer) => work.get(peer)! > 0n).sort();
  const toPeer = new Map<string, bigint>(peers.map((peer) => [peer, 0n]));

  // Water-filling: give the capped their cap and share what is left among the rest, until no share passes.
  let active = peers;
  let pool = emission;
  for (;;) {
    const total = active.reduce((sum, peer) => sum + work.get(peer)!, 0n);
    if (total === 0n) break;
    const capped = active.filter((peer) => pool * work.get(peer)! > capOf(peer) * total);
    if (capped.length === 0) {
      const shares = active.map((peer) => ({ peer, amount: (pool * work.get(peer)!) / total, rest: (pool * work.get(peer)!) % total }));
      for (const { peer, amount } of shares) toPeer.set(peer, amount);
      let left = pool - shares.reduce((sum, s) => sum + s.amount, 0n);
      // Uncapped shares are below their caps, so one more wei keeps each at or under its own.
      shares.sort((a, b) => (a.rest !== b.rest ? (a.rest > b.rest ? -1 : 1) : a.peer < b.peer ? -1 : 1));
      for (const { peer } of shares) {
        if (left === 0n) break;
        toPeer.set(peer, toPeer.get(peer)! + 1n);
        left--;
      }
      pool = left;
      break;
    }
    for (const peer of capped) {
      toPeer.set(peer, capOf(peer));
      pool -= capOf(peer);
    }
    const cappedSet = new Set(capped);
    active = active.filter((peer) => !cappedSet.has(peer));
  }

  // A peer's wei to its contributions by their work (its remainder to its first, by hash), then addresses.
  let unallocated = pool;
  const credits = contributions.map((c) => ({ hash: c.hash, peer: c.peer, address: c.address, wei: 0n }));
  const byPeer = new Map<string, number[]>();
  contributions.forEach((c, i) => byPeer.set(c.peer, [...(byPeer.get(c.peer) ?? []), i]));
  for (const [peer, indices] of byPeer) {
    const amount = toPeer.get(peer) ?? 0n;
    const total = work.get(peer)!;
    if (amount === 0n || total === 0n) continue;
    const ordered = [...indices].sort((a, b) => (contributions[a]!.hash < contributions[b]!.hash ? -1 : 1));
    let given = 0n;
    for (const i of ordered) {
      const c = contributions[i]!;
      const share = (amount * BigInt(c.samples) * qualityOf(c.score)) / total;
      credits[i]!.wei = share;
      given += share;
    }
    credits[ordered[0]!]!.wei += amount - given;
  }
  for (const credit of credits) {
    if (credit.address === null && credit.wei > 0n) {
      unallocated += credit.wei;
      credit.wei = 0n;
    }
  }
  return { credits, unallocated };
}
