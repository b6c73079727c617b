/** `airtist swarm`: N headless nodes on loopback training one model in rounds (see swarm/swarm.ts). */
import { parseArgs } from 'node:util';
import { runSwarm } from '../swarm/swarm.js';
import { UsageError } from './usage.js';

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
  --batch-size N     samples per step (default 16)`;

export async function swarmCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      peers: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '5' },
      'data-dir': { type: 'string' },
      'round-seconds': { type: 'string', default: '10' },
      'inner-steps': { type: 'string', default: '20' },
      task: { type: 'string', default: 'gan' },
      'batch-size': { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return void console.log(SWARM_USAGE);
  if (!values['data-dir']) throw new UsageError('--data-dir is required');
  if (values.task !== 'gan') throw new UsageError(`--task must be gan, got "${values.task}"`);
  const count = (name: 'peers' | 'rounds' | 'round-seconds' | 'inner-steps' | 'batch-size', max: number) => {
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
    model: 'mlp-gan',
    backend: 'wasm',
  });
  console.log(`${summary.ok ? 'ok' : 'FAILED'}: ${summary.rounds.length} rounds in ${summary.seconds.toFixed(0)} s; summary in ${values['data-dir']}/summary.json`);
  if (!summary.ok) process.exitCode = 1;
}
