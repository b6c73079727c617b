import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../../../../worker/api/contract.js';
import { submitSettings } from '../../../../../renderer/src/lib/settings-submit.js';

describe('a settings form save', () => {
  const setup = (answer: () => Promise<Settings>) => {
    const save = vi.fn(answer);
    const busy: boolean[] = [];
    return { save, busy, mark: (on: boolean) => void busy.push(on) };
  };

  it('sends only a valid, non-empty patch, and is busy while the node answers', async () => {
    const { save, busy, mark } = setup(() => Promise.resolve({ ...DEFAULT_SETTINGS, relayServer: true }));
    const outcome = await submitSettings({ ok: true, value: { relayServer: true } }, (value) => value, save, mark);
    expect(outcome).toEqual({ kind: 'saved', settings: { ...DEFAULT_SETTINGS, relayServer: true } });
    expect(save).toHaveBeenCalledWith({ relayServer: true });
    expect(busy).toEqual([true, false]);
  });

  it('sends nothing for an invalid draft or one that changes nothing', async () => {
    const { save, busy, mark } = setup(() => Promise.resolve(DEFAULT_SETTINGS));
    expect(await submitSettings({ ok: false, errors: { p2pPort: 'bad' } }, () => ({}), save, mark)).toEqual({ kind: 'invalid', errors: { p2pPort: 'bad' } });
    expect(await submitSettings({ ok: true, value: {} }, () => ({}), save, mark)).toEqual({ kind: 'unchanged' });
    expect(save).not.toHaveBeenCalled();
    expect(busy).toEqual([]);
  });

  it('hands back what the node refused with, and is no longer busy', async () => {
    const refusal = new Error('setSettings: p2pPort: too big');
    const { save, busy, mark } = setup(() => Promise.reject(refusal));
    expect(await submitSettings({ ok: true, value: { p2pPort: 1 } }, (value) => value, save, mark)).toEqual({ kind: 'failed', error: refusal });
    expect(busy).toEqual([true, false]);
  });
});
