/**
 * The mining emission: how many AIRT (in wei, the token's smallest unit) each epoch and each round mints for
 * the work done in it. An epoch's emission halves every `halvingEpochs` epochs, so the whole schedule sums to
 * less than twice `halvingEpochs` × the first epoch's, and it never passes the mining allocation: the epoch
 * that would cross it gets what is left, and every later epoch nothing. Integers from end to end (bigint
 * here, decimal strings on the wire and in the database): a float never touches an amount.
 *
 * The same function is what the mining contract enforces (`epochEmission` is a shift and a cap there too).
 */
import { z } from 'zod';

/** A non-negative integer amount of wei as a decimal string without leading zeros (JSON cannot hold a bigint). */
export const weiString = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'a whole number of wei in decimal');

export const emissionSchema = z.strictObject({
  /** Rounds per epoch: an epoch's end is when the reward table becomes a Merkle root. */
  epochRounds: z.number().int().positive().max(1_000_000),
  /** Wei minted for the first epoch. */
  firstEpochWei: weiString,
  /** Epochs between halvings. */
  halvingEpochs: z.number().int().positive().max(1_000_000_000),
  /** All the mining will ever mint, in wei. */
  allocationWei: weiString,
  /** At most this share of a round's emission goes to one peer (basis points, 10,000 = all of it). */
  peerCapBps: z.number().int().min(1).max(10_000),
});
export type Emission = z.infer<typeof emissionSchema>;

const WEI_PER_AIRT = 10n ** 18n;

/**
 * The default run's schedule: 50 M AIRT for mining; 2,850 AIRT an epoch of 30 two-minute rounds (an hour),
 * halving every 8,760 epochs (a year of hours), which sums to 49.9 M; one peer takes at most a quarter of a round.
 */
export const DEFAULT_EMISSION: Emission = {
  epochRounds: 30,
  firstEpochWei: (2_850n * WEI_PER_AIRT).toString(),
  halvingEpochs: 8_760,
  allocationWei: (50_000_000n * WEI_PER_AIRT).toString(),
  peerCapBps: 2_500,
};

export const epochOf = (emission: Emission, round: number): number => Math.floor(round / emission.epochRounds);

/** The scheduled emission of `epoch`, before the allocation cap. */
function scheduled(emission: Emission, epoch: number): bigint {
  const halvings = BigInt(Math.floor(epoch / emission.halvingEpochs));
  return BigInt(emission.firstEpochWei) >> halvings;
}

/**
 * Wei minted before `epoch`: a sum over halving periods (each of `halvingEpochs` equal epochs), so it costs
 * one step per halving, not one per epoch, and stops once the emission reaches zero.
 */
export function emittedBefore(emission: Emission, epoch: number): bigint {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be a whole number ≥ 0, not ${epoch}`);
  const allocation = BigInt(emission.allocationWei);
  const period = emission.halvingEpochs;
  let total = 0n;
  for (let start = 0; start < epoch; start += period) {
    const perEpoch = scheduled(emission, start);
    if (perEpoch === 0n) break;
    total += perEpoch * BigInt(Math.min(period, epoch - start));
    if (total >= allocation) return allocation;
  }
  return total;
}

/** Wei minted for `epoch`: the schedule's amount, or what the allocation has left. */
export function epochEmission(emission: Emission, epoch: number): bigint {
  const left = BigInt(emission.allocationWei) - emittedBefore(emission, epoch);
  const amount = scheduled(emission, epoch);
  return amount < left ? amount : left;
}

/**
 * Wei minted for `round`: its epoch's emission in equal parts, the division's remainder to the epoch's last
 * round, so an epoch's rounds sum to its emission exactly.
 */
export function roundEmission(emission: Emission, round: number): bigint {
  if (!Number.isSafeInteger(round) || round < 0) throw new RangeError(`round must be a whole number ≥ 0, not ${round}`);
  const epochTotal = epochEmission(emission, epochOf(emission, round));
  const rounds = BigInt(emission.epochRounds);
  const each = epochTotal / rounds;
  const last = (round + 1) % emission.epochRounds === 0;
  return last ? epochTotal - each * (rounds - 1n) : each;
}

/** Whole AIRT and the fraction, for people: 1234500000000000000 → "1.2345". Never a float. */
export function formatAirt(wei: bigint, decimals = 4): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = abs / WEI_PER_AIRT;
  const fraction = (abs % WEI_PER_AIRT).toString().padStart(18, '0').slice(0, decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole.toLocaleString('en')}${fraction ? `.${fraction}` : ''}`;
}
