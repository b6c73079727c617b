/**
 * What a peer checks before it takes a model from the network: a commit (every contribution it names is held
 * or fetched, of the round and base, by the peer it names, and together they make the model hash it claims;
 * its credits added to the reward table make the root it names) and a downloaded state (its bytes make its
 * hash, and the hash is the one its signed commit names, or the seed's for round 0; its reward table makes the
 * commit's root). Both are pure over what the round driver passes in; the driver decides what to do with
 * the answer.
 */
import { openCommit, type Commit } from './commit.js';
import type { ContributionStore, Held } from './contributions.js';
import { aggregate, modelHash, outerStep, type Aggregation, type OuterOptions } from './outer.js';
import type { SyncState } from './sync.js';
import { leadersOf, nextReputation, sameReputation, type Reputation } from '../verify/reputation.js';
import type { Emission } from '../rewards/emission.js';
import { rewardRoot, type RewardTotals } from '../rewards/merkle.js';
import { creditRound, type RoundRewards } from '../rewards/round-rewards.js';
import { decodeTotals } from '../rewards/totals-codec.js';

/** θ and the outer momentum, as one round starts from them or a commit makes them. */
export interface Model {
  theta: Float32Array;
  momentum: Float32Array;
}

/** θ_{r+1} and its momentum from θ_r and the accepted contributions: the canonical aggregate, the outer step. */
export function applyContributions(from: Model, accepted: readonly Held[], outer: OuterOptions, aggregation: Aggregation): Model {
  const gradient = aggregate(accepted.map((c) => ({ id: c.hash, update: c.update! })), from.theta.length, aggregation);
  const momentum = Float32Array.from(from.momentum);
  const theta = outerStep(from.theta, gradient, momentum, outer);
  return { theta, momentum };
}

export interface CommitContext {
  /** The round's committed model and its hash, which the commit must build on. */
  from: Model;
  base: string;
  /** The reputation table of the commit the round started from: the commit's must follow from it. */
  reputation: Reputation;
  /** The round this peer is in: a fetched contribution of the round before is kept for late fetchers. */
  round: number;
  contributions: ContributionStore;
  outer: OuterOptions;
  aggregation: Aggregation;
  emission: Emission;
  /** Every address's cumulative reward before the round; null when this peer does not know it (see the driver). */
  totals: RewardTotals | null;
  log: (line: string) => void;
}

/** What a checked commit makes: the model, the contributions it takes, their credits, and the reward table after. */
export interface VerifiedCommit extends Model {
  accepted: Held[];
  rewards: RoundRewards;
  /** Null when the table before was unknown: the commit's root could not be checked. */
  totals: RewardTotals | null;
}

/** The model a commit makes, with the contributions it accepts, if everything in it checks out; else null. */
export async function verifyCommit(
  { commit, signer }: { commit: Commit; signer: string },
  context: CommitContext,
): Promise<VerifiedCommit | null> {
  const { contributions, log } = context;
  const ignored = (why: string) => {
    log(`rounds: round ${commit.round}: ${why}; ignored`);
    return null;
  };
  // Cheap first: the table must be the base's moved by the commit's own scores.
  if (!sameReputation(commit.reputation, nextReputation(context.reputation, commit.accepted))) return ignored("the commit's reputation table is not what its base's and its scores make");
  const accepted: Held[] = [];
  for (const { hash, peer } of commit.accepted) {
    let held: Held | null = contributions.round(commit.round).get(hash) ?? null;
    // A header without its payload yet (the fetch may still be on its way): the signer had it to commit, and
    // its contributor and the commit's other contributors most likely hold it too.
    const sources = [held?.peerId, signer, ...commit.accepted.map((c) => c.peer)].filter((peer): peer is string => !!peer);
    if (held && !held.update) await contributions.load(held, sources).catch((error: Error) => log(`rounds: fetching ${hash.slice(0, 8)}: ${error.message}`));
    held ??= await contributions.fetch(hash, sources, context.round - 1).catch(() => null);
    const why = !held
      ? 'we cannot fetch it'
      : !held.update
        ? 'its payload did not come'
        : held.header.round !== commit.round || held.header.baseHash !== context.base
          ? 'it is of another round or base'
          : held.peerId !== peer
            ? 'it names another contributor than the one who signed it'
            : null;
    if (why || !held) return ignored(`the commit by ${signer.slice(-8)} names contribution ${hash.slice(0, 8)}, but ${why}`);
    accepted.push(held);
  }
  if (!accepted.some((c) => c.peerId === signer)) return ignored('a commit by a peer that did not contribute');
  const next = applyContributions(context.from, accepted, context.outer, context.aggregation);
  if (modelHash(next.theta, next.momentum) !== commit.modelHash) return ignored("the commit's model hash is not what its contributions make");
  const addresses = new Map(accepted.map((c) => [c.hash, c.header.rewardAddress]));
  const credited = creditRound(context.emission, commit, addresses, context.reputation, context.totals ?? new Map());
  if (context.totals && credited.root !== commit.rewardRoot) return ignored("the commit's reward root is not what its credits make");
  return { ...next, accepted, rewards: credited.rewards, totals: context.totals ? credited.totals : null };
}

/** A downloaded state this peer may train from, with what its commit says of the round it opens. */
export interface VerifiedState extends Model {
  round: number;
  hash: string;
  /** Who ranks first for the round's leadership (eligibleAfter of the commit that opened it). */
  eligible: string[];
  /** The reputation table of the state's commit (empty at round 0). */
  reputation: Reputation;
  /** Every address's cumulative reward before the round: the table the commit's rewardRoot names. */
  totals: Map<string, bigint>;
  /** Its root (the commit's rewardRoot). */
  rewardRoot: string;
  /** When that commit was made (the round's window counts from it); null when rounds since went uncommitted. */
  anchorTime: number | null;
}

export interface StateContext {
  runId: string;
  /** Values in the model. */
  size: number;
  /** The hash of θ_0, when this peer knows the run's seed: a round-0 state must be it. */
  genesisHash: string | null;
}

/** A downloaded state, checked; throws with the reason when it is not one to train from. */
export async function verifyState(state: SyncState, { runId, size, genesisHash }: StateContext): Promise<VerifiedState> {
  if (state.vector.length !== size * 8) throw new Error(`the state has ${state.vector.length} bytes, this model needs ${size * 8}`);
  const theta = new Float32Array(Uint8Array.from(state.vector.subarray(0, size * 4)).buffer);
  const momentum = new Float32Array(Uint8Array.from(state.vector.subarray(size * 4)).buffer);
  const hash = modelHash(theta, momentum);
  if (hash !== state.hash) throw new Error('the state does not match its hash');
  let totals: Map<string, bigint>;
  try {
    totals = decodeTotals(state.totals);
  } catch (error) {
    throw new Error(`the state's reward table does not decode: ${(error as Error).message}`);
  }
  const root = rewardRoot(totals);
  if (state.round === 0) {
    if (hash !== genesisHash) throw new Error("round 0's state is not the seed's, or not newer than ours");
    if (totals.size > 0) throw new Error("round 0's reward table is not empty");
    return { round: 0, hash, theta, momentum, eligible: [], reputation: [], totals, rewardRoot: root, anchorTime: null };
  }
  if (!state.commit) throw new Error('the state has no commit');
  const { commit } = await openCommit(state.commit);
  // Rounds nobody committed keep the weights, so a state may be some rounds past its last commit.
  if (commit.runId !== runId || commit.round >= state.round || commit.modelHash !== hash) throw new Error('the state does not match its commit');
  // Rounds nobody committed credit nothing: the table is still the one the last commit names.
  if (root !== commit.rewardRoot) throw new Error("the state's reward table is not the one its commit names");
  const fresh = commit.round + 1 === state.round;
  return {
    round: state.round,
    hash,
    theta,
    momentum,
    eligible: fresh ? eligibleAfter(commit) : [],
    reputation: commit.reputation,
    totals,
    rewardRoot: root,
    anchorTime: fresh ? commit.committedAt : null,
  };
}

/** Who ranks first for leading the round a commit opens: its reputed contributors (verify/reputation.ts). */
export function eligibleAfter(commit: Commit): string[] {
  return leadersOf(commit.reputation, commit.accepted.map((c) => c.peer));
}
