#!/usr/bin/env node
/** `airtist`: the command-line front of the miner. Commands live in ./cli/, one file each. */
import { UsageError } from './cli/usage.js';
import { DataDirError, DataDirInUseError } from './data-dir.js';
import { TrainerStartError } from './training/trainer-host.js';
import { prespawnTrainer } from './training/trainer-link.js';
import { appVersion } from './paths.js';

const USAGE = `AIRTIST Miner ${appVersion}

Usage: airtist <command> [options]

Commands:
  node       run the headless miner and serve its dashboard on 127.0.0.1
  swarm      run N miners on loopback that train one model together (for testing the network)
  rewards    verify, show or prove the AIRT credited in a data dir's ledger
  wallet     create, import or export the node's wallet, claim and send AIRT
  status     what the node running on a data dir does, and its dashboard link
  stop       stop the node running on a data dir, cleanly
  diagnostics  write a zip of the running node's logs and settings (secrets taken out) for a bug report

Run 'airtist <command> --help' for a command's options.`;

/** Loaded on use: `node` starts its trainer thread before it loads the node's modules, so both load at once. */
const commands: Record<string, (argv: string[]) => Promise<{ run: (argv: string[]) => Promise<void>; usage: string }>> = {
  node: async (argv) => {
    // The placement the command will ask for (a wrong value is the command's to report).
    const flag = argv.indexOf('--trainer');
    const asked = flag >= 0 ? argv[flag + 1] : undefined;
    prespawnTrainer(asked === 'process' || asked === 'thread' ? asked : undefined);
    const { nodeCommand, NODE_USAGE } = await import('./cli/node-command.js');
    return { run: nodeCommand, usage: NODE_USAGE };
  },
  rewards: async () => {
    const { rewardsCommand, REWARDS_USAGE } = await import('./cli/rewards-command.js');
    return { run: (argv) => rewardsCommand(argv), usage: REWARDS_USAGE };
  },
  wallet: async () => {
    const { walletCommand, WALLET_USAGE } = await import('./cli/wallet-command.js');
    return { run: (argv) => walletCommand(argv), usage: WALLET_USAGE };
  },
  status: async () => {
    const { statusCommand, STATUS_USAGE } = await import('./cli/status-command.js');
    return { run: (argv) => statusCommand('status', argv), usage: STATUS_USAGE };
  },
  stop: async () => {
    const { statusCommand, STATUS_USAGE } = await import('./cli/status-command.js');
    return { run: (argv) => statusCommand('stop', argv), usage: STATUS_USAGE };
  },
  diagnostics: async () => {
    const { statusCommand, STATUS_USAGE } = await import('./cli/status-command.js');
    return { run: (argv) => statusCommand('diagnostics', argv), usage: STATUS_USAGE };
  },
  swarm: async () => {
    const { swarmCommand, SWARM_USAGE } = await import('./cli/swarm-command.js');
    return { run: swarmCommand, usage: SWARM_USAGE };
  },
};

/** Errors whose message is the whole story for the user (a wrong password, a mismatched root, no gas). */
const USER_FACING = new Set(['RewardsMismatchError', 'KeystoreError', 'ClaimError', 'ChainConfigError', 'PortInUseError']);

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(appVersion);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    console.error(`airtist: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const command = await load(rest);
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`airtist ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof TrainerStartError) {
      console.error(`airtist ${name}: cannot start training: ${error.message}`);
      return 1;
    }
    if (USER_FACING.has((error as Error).name)) {
      console.error(`airtist ${name}: ${(error as Error).message}`);
      return 1;
    }
    if ((error as Error).name === 'NotRunningError') {
      console.error(`airtist ${name}: ${(error as Error).message}`);
      return 3;
    }
    if (error instanceof DataDirError) {
      console.error(`airtist ${name}: ${error.message}: pass another --data-dir`);
      return 1;
    }
    if (error instanceof DataDirInUseError) {
      console.error(`airtist ${name}: ${error.message}; stop it first, or pass another --data-dir`);
      return 1;
    }
    console.error(`airtist ${name}: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
