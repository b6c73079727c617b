/**
 * `airtist rewards verify|show|proof`: the reward table of a data dir's ledger, read-only (a running node may
 * keep writing it). `verify` recomputes each closed epoch's Merkle root from the ledger's credits and
 * compares it with the root the node recorded; `show` lists the credits per address and epoch; `proof`
 * prints what a claim of one address needs.
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../default-data-dir.js';
import { openRewardsReadOnly } from '../ledger/command-access.js';
import type { RewardRecords } from '../ledger/rewards.js';
import { formatAirt } from '../rewards/emission.js';
import { rewardProof, rewardRoot } from '../rewards/merkle.js';
import { epochRecord } from '../rewards/round-rewards.js';
import { UsageError } from './usage.js';

export const REWARDS_USAGE = `Usage: airtist rewards <verify|show|proof> [options]

  verify             recompute each closed epoch's reward root from the ledger and compare (exit 1 if any differs)
  show               AIRT credited per address, in total and per epoch
  proof              the cumulative amount and Merkle proof a claim of --address needs

Options:
  --data-dir DIR     the node's data dir (default: the desktop app's)
  --run ID           the run (default: the one with the latest round in the ledger)
  --epoch N          only this epoch (proof: default the latest closed one)
  --address 0x…      the address (proof, and show for one address)`;


export async function rewardsCommand(argv: string[], print: (line: string) => void = console.log): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      run: { type: 'string' },
      epoch: { type: 'string' },
      address: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return print(REWARDS_USAGE);
  const [action, ...extra] = positionals;
  if (!action || !['verify', 'show', 'proof'].includes(action) || extra.length > 0) throw new UsageError(action ? `unknown rewards action "${[action, ...extra].join(' ')}"` : 'which: verify, show or proof?');
  const epochWanted = values.epoch === undefined ? null : Number(values.epoch);
  if (epochWanted !== null && (!Number.isSafeInteger(epochWanted) || epochWanted < 0)) throw new UsageError(`--epoch must be a whole number, got "${values.epoch}"`);
  const address = values.address?.toLowerCase() ?? null;
  if (address !== null && !/^0x[0-9a-f]{40}$/.test(address)) throw new UsageError(`--address must be 0x and 40 hex digits, got "${values.address}"`);
  if (action === 'proof' && address === null) throw new UsageError('proof needs --address');

  const { records, runId, close } = openRewardsReadOnly(values['data-dir'] ?? defaultDataDir(), values.run);
  try {
    const epochs = records.epochs(runId).filter((e) => epochWanted === null || e.epoch === epochWanted);
    if (epochWanted !== null && epochs.length === 0) throw new UsageError(`epoch ${epochWanted} of run ${runId} is not closed in this ledger`);
    if (action === 'verify') return verify(records, runId, epochs, print);
    if (action === 'show') return show(records, runId, epochs, address, print);
    return proof(records, runId, epochs, address!, print);
  } finally {
    close();
  }
}

/**
 * Every baseline (the totals a sync brought) against the root it was checked against, then every closed
 * epoch's root recomputed from its baseline and the credits since.
 */
function verify(records: RewardRecords, runId: string, epochs: ReturnType<RewardRecords['epochs']>, print: (line: string) => void): void {
  let mismatches = 0;
  const baselines = records.baselines(runId);
  for (const { round, root, totals } of baselines) {
    const again = rewardRoot(totals);
    if (again !== root) mismatches++;
    if (round > 0 || again !== root) print(`totals synced before round ${round}: ${again === root ? 'ok' : 'MISMATCH'}  root ${again}${again === root ? '' : ` (checked against ${root})`}  ${totals.size} addresses`);
  }
  if (epochs.length === 0) print(`run ${runId}: no epoch closed yet`);
  for (const epoch of epochs) {
    const totals = records.totals(runId, epoch.endRound);
    const again = totals ? epochRecord(totals, epoch.epoch, epoch.endRound, epoch.closedAt) : null;
    const same = again !== null && again.root === epoch.root && again.totalWei === epoch.totalWei;
    if (!same) mismatches++;
    if (!again) print(`epoch ${epoch.epoch} (rounds < ${epoch.endRound}): MISMATCH  the ledger holds no totals before round ${epoch.endRound} to recompute recorded root ${epoch.root} from`);
    else print(`epoch ${epoch.epoch} (rounds < ${epoch.endRound}): ${same ? 'ok' : 'MISMATCH'}  root ${again.root}${same ? '' : ` (recorded ${epoch.root})`}  ${again.addresses} addresses, ${formatAirt(BigInt(again.totalWei))} AIRT`);
  }
  if (mismatches > 0) throw new RewardsMismatchError(`${mismatches} of ${baselines.length + epochs.length} roots do not match the ledger`);
}

function show(records: RewardRecords, runId: string, epochs: ReturnType<RewardRecords['epochs']>, address: string | null, print: (line: string) => void): void {
  const all = records.epochs(runId);
  const last = all.at(-1);
  const totals = records.totals(runId, Number.MAX_SAFE_INTEGER);
  if (!totals) throw new UsageError(`the ledger holds no reward totals of run ${runId} (it joined before this build kept them); 'rewards show' works once it has synced`);
  const closed = (last ? records.totals(runId, last.endRound) : null) ?? new Map<string, bigint>();
  print(`run ${runId}: ${all.length} epochs closed${last ? `, the latest ${last.epoch} with root ${last.root}` : ''}`);
  for (const [who, wei] of [...totals].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (address !== null && who !== address) continue;
    const pending = wei - (closed.get(who) ?? 0n);
    print(`${who}  ${formatAirt(wei, 6)} AIRT credited  (${formatAirt(pending, 6)} in no closed epoch yet)`);
  }
  for (const epoch of epochs) {
    const from = epoch.epoch === 0 ? 0 : (all.find((e) => e.epoch === epoch.epoch - 1)?.endRound ?? 0);
    const credits = records.credits(runId, from, epoch.endRound).filter((c) => c.address !== null && (address === null || c.address === address));
    const byAddress = new Map<string, bigint>();
    for (const c of credits) byAddress.set(c.address!, (byAddress.get(c.address!) ?? 0n) + BigInt(c.wei));
    const { emission, unallocated } = records.emitted(runId, from, epoch.endRound);
    print(`epoch ${epoch.epoch}: ${formatAirt(emission)} AIRT emitted, ${formatAirt(unallocated)} unallocated`);
    for (const [who, wei] of byAddress) print(`  ${who}  ${formatAirt(wei, 6)} AIRT`);
  }
}

function proof(records: RewardRecords, runId: string, epochs: ReturnType<RewardRecords['epochs']>, address: string, print: (line: string) => void): void {
  const epoch = epochs.at(-1);
  if (!epoch) throw new UsageError(`run ${runId}: no epoch closed yet`);
  const totals = records.totals(runId, epoch.endRound);
  if (!totals) throw new RewardsMismatchError(`the ledger holds no totals before round ${epoch.endRound} to prove epoch ${epoch.epoch}'s root from: run 'rewards verify'`);
  const found = rewardProof(totals, address);
  if (!found) throw new UsageError(`${address} has no credit up to epoch ${epoch.epoch}`);
  if (found.root !== epoch.root) throw new RewardsMismatchError(`the ledger's credits give root ${found.root}, not the recorded ${epoch.root}: run 'rewards verify'`);
  print(JSON.stringify({ runId, epoch: epoch.epoch, root: found.root, account: address, cumulativeAmount: found.amount.toString(), proof: found.proof }, null, 2));
}

/** The ledger's credits do not give the root recorded for an epoch. */
export class RewardsMismatchError extends Error {
  override name = 'RewardsMismatchError';
}
