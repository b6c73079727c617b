/** `npm run bench`: every benchmark in turn; each prints its ratio against a baseline measured in the same run. */
import { run as runAdversaryQuality } from './adversary-quality.js';
import { run as runCompression } from './compression.js';
import { run as runInteractive } from './interactive.js';
import { run as runKernels } from './kernels.js';
import { run as runModels } from './models.js';
import { run as runNetwork } from './network.js';
import { run as runNode } from './node.js';
import { run as runRoundsQuality } from './rounds-quality.js';
import { run as runSoak } from './soak.js';
import { run as runVerifyScoring } from './verify-scoring.js';

console.log(`AIRTIST Miner benchmarks · Node ${process.version} · ${process.platform}/${process.arch}`);
await runNode();
await runInteractive();
await runModels();
await runKernels();
await runCompression();
await runRoundsQuality();
await runVerifyScoring();
await runAdversaryQuality();
await runNetwork();
await runSoak();
