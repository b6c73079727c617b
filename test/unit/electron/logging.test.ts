import { describe, expect, it } from 'vitest';
import { createMainLog, LOG_MAX_BYTES } from '../../../electron/logging.js';

function fakeElectronLog() {
  const lines: string[] = [];
  return {
    lines,
    initialized: 0,
    initialize() {
      this.initialized++;
    },
    info: (...text: unknown[]) => void lines.push(text.join(' ')),
    transports: { file: { maxSize: 1024 * 1024, getFile: () => ({ path: '/home/ada/.config/AIRTIST Miner/logs/main.log' }) } },
  };
}

describe('createMainLog', () => {
  it('rotates at 5 MB and names the file and its predecessor for a diagnostics export', () => {
    const electronLog = fakeElectronLog();
    const log = createMainLog(electronLog);
    expect([electronLog.initialized, electronLog.transports.file.maxSize]).toEqual([1, LOG_MAX_BYTES]);
    expect(LOG_MAX_BYTES).toBe(5 * 1024 * 1024);
    expect(log.files()).toEqual(['/home/ada/.config/AIRTIST Miner/logs/main.old.log', '/home/ada/.config/AIRTIST Miner/logs/main.log']);
  });

  it('logs the worker output line by line, however its chunks fall', async () => {
    const electronLog = fakeElectronLog();
    const log = createMainLog(electronLog);
    const stream = log.stream();
    stream.write('[worker] first li');
    stream.write('ne\n[worker] second\n\n[worker] th');
    await new Promise<void>((resolve) => stream.end('ird', resolve));
    log.line('[main] quit');
    expect(electronLog.lines).toEqual(['[worker] first line', '[worker] second', '[worker] third', '[main] quit']);
  });
});
