import { describe, expect, it } from 'vitest';
import {
  estimateText,
  formatLosses,
  lossLabel,
  lossNames,
  liveUptime,
  integerScaleSize,
  lossShort,
  shardLabel,
  backendLabel,
  formatAgo,
  formatCompact,
  formatDuration,
  formatLoss,
  formatRate,
  shortId,
  formatAirtWei,
  formatPercent,
} from '../../../../../renderer/src/lib/format.js';

describe('format', () => {
  it('shows a fraction as a whole percent', () => {
    expect([formatPercent(0), formatPercent(0.4237), formatPercent(1), formatPercent(Number.NaN)]).toEqual(['0 %', '42 %', '100 %', '—']);
  });

  it('names every backend for people', () => {
    expect(backendLabel('node-gpu')).toBe('CUDA GPU');
    expect(backendLabel('node')).toBe('Native CPU');
    expect(backendLabel('wasm')).toBe('WebAssembly (SIMD)');
    expect(backendLabel('cpu')).toBe('JavaScript CPU');
  });

  it('shortens big numbers', () => {
    expect([999, 1234, 56_700, 5_600_000, 2_500_000_000].map(formatCompact)).toEqual(['999', '1.23k', '56.7k', '5.6M', '2.5B']);
  });

  it('formats rates, losses and durations', () => {
    expect(formatRate(42.26)).toBe('42.3');
    expect(formatRate(412.6)).toBe('413');
    expect(formatLoss(0.61234)).toBe('0.612');
    expect(formatLoss(null)).toBe('—');
    expect([45, 725, 12_000, 190_000].map(formatDuration)).toEqual(['45 s', '12 m 05 s', '3 h 20 m', '2 d 4 h']);
  });

  it('says how long ago', () => {
    expect(formatAgo(10_000, 11_000)).toBe('just now');
    expect(formatAgo(10_000, 22_000)).toBe('12 s ago');
    expect(formatAgo(0, 180_000)).toBe('3 min ago');
  });

  it('shortens ids', () => {
    expect(shortId('12D3KooWabcdefghijklmnop')).toBe('12D3Ko…klmnop');
    expect(shortId('short')).toBe('short');
  });

  it('names losses for people, whatever the task calls them', () => {
    expect(lossLabel('cross_entropy')).toBe('Cross entropy');
    expect(lossLabel('generator')).toBe('Generator');
    expect([lossShort('discriminator'), lossShort('generator'), lossShort('cross_entropy')]).toEqual(['D', 'G', 'Cross entropy']);
    expect(formatLosses({ discriminator: 1.2134, generator: 0.9 })).toBe('D 1.213 · G 0.900');
    expect(formatLosses({ cross_entropy: 2.5 })).toBe('Cross entropy 2.500');
    expect(formatLosses(null)).toBe('—');
    expect(formatLosses({})).toBe('—');
  });

  it('lists the loss names of a series in the order they first appear', () => {
    expect(lossNames([{ losses: { generator: 1 } }, { losses: { discriminator: 1, generator: 2 } }, { losses: {} }])).toEqual(['generator', 'discriminator']);
    expect(lossNames([])).toEqual([]);
  });
});

describe('formatAirtWei', () => {
  it('reads wei text as AIRT to four decimals, exactly past 2^53, and refuses what is not whole wei', () => {
    expect(formatAirtWei('2850000000000000000000')).toBe('2,850');
    expect(formatAirtWei('23750000000000000000')).toBe('23.75');
    expect(formatAirtWei('1234567890123456789012345')).toBe('1,234,567.8901');
    expect(formatAirtWei('1')).toBe('0');
    for (const bad of [null, undefined, '', '-1', '1.5', '01', 'x']) expect(formatAirtWei(bad)).toBe('—');
  });

  it('numbers shards from 1 and runs the uptime on from when the status came', () => {
    expect(shardLabel(0, 8)).toBe('#1 of 8');
    expect(shardLabel(7, 8)).toBe('#8 of 8');
    expect(liveUptime(42, 1_000_000, 1_002_500)).toBe(44.5);
    expect(liveUptime(42, 1_000_000, 999_000)).toBe(42); // a clock that went back does not take time off
  });

  it('scales a painting by whole device pixels only, never below one', () => {
    expect(integerScaleSize(340, 64)).toBe(320); // 5×
    expect(integerScaleSize(340, 64, 2)).toBe(320); // 10 device pixels a pixel
    expect(integerScaleSize(340, 64, 1.5)).toBeCloseTo((64 * 7) / 1.5); // 7 device pixels, not 7.97
    expect(integerScaleSize(340, 466)).toBe(233); // too wide for 1×: every second pixel, still even
    expect(integerScaleSize(100, 466)).toBeCloseTo(466 / 5);
    expect(integerScaleSize(0, 64)).toBe(64);
  });
});

describe('estimateText', () => {
  const AIRT = 10n ** 18n;
  it('rounds to whole AIRT from 100 up and says what the estimate rests on', () => {
    expect(estimateText({ weiPerDay: (181_057n * AIRT + AIRT / 3n).toString(), roundsPerDay: 7623.4, contributors: 2 })).toEqual({
      amount: '181,057',
      basis: "at the network's pace now: 7,623 rounds a day, 2 miners in each, an even share of each round (a faster computer earns more)",
    });
    expect(estimateText({ weiPerDay: ((12n * AIRT) / 10n + AIRT / 1000n).toString(), roundsPerDay: 30, contributors: 1 })?.amount).toBe('1.2');
    expect(estimateText({ weiPerDay: '0', roundsPerDay: 30, contributors: 1 })?.basis).toContain('1 miner in each');
    expect(estimateText(null)).toBeNull();
  });
});
