/** `airtist swarm`: N headless nodes on loopback training one model in rounds (see swarm/swarm.ts). */
import { parseArgs } from 'node:util';
import { runSwarm } from '../swarm/swarm.js';
import { ADVERSARY_KINDS, type AdversaryKind } from '../rounds/adversary.js';
import { negativeValuesJoined, oneOf, UsageError } from './usage.js';

export const SWARM_USAGE = `Usage: airtist swarm --peers N --rounds R --data-dir DIR [options]

Starts N headless nodes as separate processes on loopback, prints a line per round and writes DIR/summary.json.
Exits 0 only if every peer holds the same model hash after every round.

Options:
  --peers N          nodes to start (default 4)
  --rounds R         rounds to watch (default 5)
  --data-dir DIR     one data dir per node is made under it (required)
  --round-seconds S  training window of a round (default 10)
  --inner-steps H    at most this many steps per round (default 20)
  --task NAME        gan (the only task so far)
  --batch-size N     samples per step (default 16)
  --quorum N         contributions that close a round early (default: the app's run)
  --epoch-rounds N   rounds per reward epoch (default: the app's run)
  --chain WHICH      devnet (default: one chain for the swarm, the first three peers its validators) or none
  --adversary LIST   cheating peers on top of the honest ones, KIND:COUNT[,KIND:COUNT…], of
                     ${ADVERSARY_KINDS.join(', ')}`;

export async function swarmCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: negativeValuesJoined(argv),
    options: {
      peers: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '5' },
      'data-dir': { type: 'string' },
      'round-seconds': { type: 'string', default: '10' },
      'inner-steps': { type: 'string', default: '20' },
      task: { type: 'string', default: 'gan' },
      'batch-size': { type: 'string', default: '16' },
      quorum: { type: 'string' },
      'epoch-rounds': { type: 'string' },
      chain: { type: 'string', default: 'devnet' },
      adversary: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return void console.log(SWARM_USAGE);
  if (!values['data-dir']) throw new UsageError('--data-dir is required');
  if (values.task !== 'gan') throw new UsageError(`--task must be gan, got "${values.task}"`);
  const count = (name: 'peers' | 'rounds' | 'round-seconds' | 'inner-steps' | 'batch-size' | 'quorum' | 'epoch-rounds', max: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
    return value;
  };
  const summary = await runSwarm({
    peers: count('peers', 64),
    rounds: count('rounds', 10_000),
    dataDir: values['data-dir'],
    roundSeconds: count('round-seconds', 3600),
    innerSteps: count('inner-steps', 100_000),
    batchSize: count('batch-size', 4096),
    ...(values.quorum !== undefined ? { quorum: count('quorum', 10_000) } : {}),
    ...(values['epoch-rounds'] !== undefined ? { epochRounds: count('epoch-rounds', 1_000_000) } : {}),
    chain: oneOf(values.chain ?? 'devnet', ['devnet', 'none'] as const, 'chain') === 'devnet',
    adversaries: values.adversary === undefined ? [] : parseAdversaries(values.adversary),
    model: 'mlp-gan',
    backend: 'wasm',
  });
  console.log(`${summary.ok ? 'ok' : 'FAILED'}: ${summary.rounds.length} rounds in ${summary.seconds.toFixed(0)} s; summary in ${values['data-dir']}/summary.json`);
  if (!summary.ok) process.exitCode = 1;
}

/** `noise:2,signflip:1` → the kinds, one per cheating peer. */
export function parseAdversaries(text: string): AdversaryKind[] {
  return text.split(',').flatMap((part) => {
    const [kind, count = '1', ...rest] = part.split(':');
    const n = Number(count);
    if (rest.length > 0 || !kind || !Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--adversary takes KIND:COUNT[,KIND:COUNT…], got "${part}"`);
    return Array.from({ length: n }, () => oneOf<AdversaryKind>(kind, ADVERSARY_KINDS, 'adversary'));
  });
}
