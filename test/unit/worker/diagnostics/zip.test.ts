import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../../worker/diagnostics/zip.js';
import { unzip } from '../../../helpers/unzip.js';

describe('writeZip', () => {
  it('writes an archive another zip reader opens, with every file as it was (CRC and sizes checked)', async () => {
    const log = 'step 1 loss 0.5\n'.repeat(500);
    const noise = randomBytes(3000).toString('base64');
    const files = await unzip(writeZip([
      { name: 'report.json', data: '{"ok":true}' },
      { name: 'logs/main.log', data: log },
      { name: 'noise.txt', data: noise },
      { name: 'ünïcode.txt', data: 'é' },
      { name: 'empty.txt', data: '' },
    ]));
    expect([...files.keys()]).toEqual(['report.json', 'logs/main.log', 'noise.txt', 'ünïcode.txt', 'empty.txt']);
    expect(files.get('logs/main.log')).toMatchObject({ text: log, method: 8, mode: 0o644 }); // deflated
    expect(files.get('noise.txt')!.text).toBe(noise);
    expect(files.get('report.json')!.method).toBe(0); // too small to gain: stored
    expect(files.get('ünïcode.txt')!.text).toBe('é');
    expect(files.get('empty.txt')!.text).toBe('');
  });

  it('makes the same bytes from the same files (one fixed timestamp)', () => {
    const entries = [{ name: 'a.txt', data: 'x'.repeat(100) }];
    expect(writeZip(entries).equals(writeZip(entries))).toBe(true);
  });

  it('refuses names that would unpack outside the folder, and duplicates', () => {
    for (const name of ['../evil', '/etc/passwd', 'a/../../b', 'a\\b', '']) {
      expect(() => writeZip([{ name, data: 'x' }]), name).toThrow(RangeError);
    }
    expect(() => writeZip([{ name: 'a', data: '1' }, { name: 'a', data: '2' }])).toThrow(/duplicate/);
  });
});
