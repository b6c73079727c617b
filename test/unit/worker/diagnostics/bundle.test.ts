import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../worker/api/contract.js';
import { createLogRing, exportDiagnostics } from '../../../../worker/diagnostics/bundle.js';
import { unzip } from '../../../helpers/unzip.js';
import { sampleNetwork, sampleStatus } from '../api/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'airtist-diagnostics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportDiagnostics', () => {
  it('bundles the report, the node log and the named log files, with every secret taken out of each', async () => {
    const wallet = Wallet.createRandom();
    const token = '5e'.repeat(32);
    const log = createLogRing(3);
    for (const line of ['first, dropped by the ring', `Dashboard: http://127.0.0.1:7357/?token=${token}`, 'rounds: round 4 committed', `oops ${wallet.privateKey}`]) log.push(line);
    const mainLog = join(dir, 'main.log');
    writeFileSync(mainLog, `[main] restored: ${wallet.mnemonic!.phrase}\n[main] ok\n`);
    const written = exportDiagnostics({
      dataDir: dir,
      status: sampleStatus(),
      settings: DEFAULT_SETTINGS,
      network: sampleNetwork(),
      log,
      logFiles: [mainLog, join(dir, 'missing.log')],
      now: new Date('2026-12-07T10:15:00Z'),
    });
    expect(written).toMatchObject({ path: join(dir, 'diagnostics', 'airtist-diagnostics-20261207-101500.zip'), files: ['report.json', 'node.log', 'logs/main.log'] });
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    const files = await unzip(readFileSync(written.path));
    const nodeLog = files.get('node.log')!.text;
    expect(nodeLog).not.toContain('first, dropped');
    expect(nodeLog).toContain('rounds: round 4 committed');
    expect(files.get('logs/main.log')!.text).toContain('[main] ok');
    const everything = [...files.values()].map((f) => f.text).join('\n');
    for (const secret of [token, wallet.privateKey, wallet.mnemonic!.phrase]) expect(everything).not.toContain(secret);
    // The network in numbers, not other peers' addresses.
    const report = JSON.parse(files.get('report.json')!.text) as { network: { peers: number }; settings: object };
    expect(report.network.peers).toBe(1);
    expect(everything).not.toContain('/ip4/127.0.0.1/tcp/7360');
  });
});
