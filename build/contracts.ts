/**
 * `npm run contracts`: compiles contracts/*.sol with the solc npm compiler (no compiler download) and writes,
 * for each contract, its ABI and bytecode (contracts/artifacts/<Name>.json) and a typed binding for the worker
 * (worker/chain/generated/<Name>.ts). Both are generated on every build and never edited by hand: they are
 * not in git. The compile is deterministic: the same sources and settings give the same bytecode.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindingSource, type AbiItem } from './contract-binding.js';

interface SolcOutput {
  errors?: Array<{ severity: 'error' | 'warning' | 'info'; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: AbiItem[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

const require = createRequire(import.meta.url);
const solc = require('solc') as { compile(input: string, options: { import: (path: string) => { contents: string } | { error: string } }): string; version(): string };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourcesDir = join(root, 'contracts');
const artifactsDir = join(sourcesDir, 'artifacts');
const bindingsDir = join(root, 'worker', 'chain', 'generated');

/** The EVM the contracts target: Cancun, which the embedded devnet and today's chains run. */
export const EVM_VERSION = 'cancun';

function findImport(path: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    return { error: `not found: ${path}` };
  }
}

export function compileContracts(): SolcOutput {
  const files = readdirSync(sourcesDir).filter((name) => name.endsWith('.sol')).sort();
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(files.map((name) => [name, { content: readFileSync(join(sourcesDir, name), 'utf8') }])),
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc ${solc.version()}:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  return output;
}

function main(): void {
  const started = performance.now();
  const output = compileContracts();
  mkdirSync(artifactsDir, { recursive: true });
  mkdirSync(bindingsDir, { recursive: true });
  const written: string[] = [];
  for (const file of Object.keys(output.contracts).filter((file) => !file.includes('/'))) {
    for (const [name, contract] of Object.entries(output.contracts[file]!)) {
      const bytecode = `0x${contract.evm.bytecode.object}`;
      writeFileSync(join(artifactsDir, `${name}.json`), `${JSON.stringify({ contractName: name, sourceName: file, compiler: solc.version(), evmVersion: EVM_VERSION, abi: contract.abi, bytecode, deployedBytecode: `0x${contract.evm.deployedBytecode.object}` }, null, 2)}\n`);
      writeFileSync(join(bindingsDir, `${name}.ts`), bindingSource(name, contract.abi, bytecode));
      written.push(`${name} (${(contract.evm.deployedBytecode.object.length / 2).toLocaleString('en-US')} bytes deployed)`);
    }
  }
  for (const warning of (output.errors ?? []).filter((e) => e.severity === 'warning')) console.warn(warning.formattedMessage);
  console.log(`contracts: ${written.join(', ')} in ${Math.round(performance.now() - started)} ms`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
