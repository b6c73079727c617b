import { describe, expect, it } from 'vitest';
import { pageOf } from '../../../../../renderer/src/lib/pages.js';

describe('pages by the address hash', () => {
  it('names the page in the hash, and anything else is the dashboard', () => {
    expect(pageOf('#earnings')).toBe('earnings');
    expect(pageOf('earnings')).toBe('earnings');
    expect(pageOf('#dashboard')).toBe('dashboard');
    expect(pageOf('#wallet')).toBe('wallet');
    for (const other of ['', '#', '#Earnings', '#wallets', '#earnings/x']) expect(pageOf(other)).toBe('dashboard');
  });
});
