/** How numbers, times and names read on the dashboard. Pure. */
import type { BackendName, DatasetName, ModelName, NodeState } from '../../../worker/api/contract.js';
import { formatAirt } from '../../../worker/rewards/emission.js';
import { strings } from './strings.js';

const words = strings.format;

export const backendLabel = (backend: BackendName): string => words.backends[backend] ?? backend;
export const modelLabel = (model: ModelName): string => words.models[model] ?? model;
export const datasetLabel = (dataset: DatasetName): string => words.datasets[dataset] ?? dataset;
export const stateLabel = (state: NodeState): string => strings.state.labels[state] ?? state;

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInteger(value: number): string {
  return Number.isFinite(value) ? integer.format(Math.round(value)) : '—';
}

/** 0.4237 → "42 %"; not a number → "—". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? words.percent(Math.round(fraction * 100)) : '—';
}

/** 1234 → "1.23k", 5_600_000 → "5.6M"; small numbers stay exact. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e12, words.trillion],
    [1e9, words.billion],
    [1e6, words.million],
    [1e3, words.thousand],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) {
      const scaled = value / size;
      const digits = Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
      return `${Number(scaled.toFixed(digits))}${suffix}`;
    }
  }
  return formatInteger(value);
}

/** Samples per second: one decimal below 100, whole numbers above. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 100 ? formatInteger(value) : value.toFixed(1);
}

export function formatLoss(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(3);
}

/** A task's loss name for people: "cross_entropy" → "Cross entropy". */
export function lossLabel(name: string): string {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A loss in a sentence, for a tooltip: what the number means to someone who is not an ML engineer. */
export function lossHint(name: string): string {
  return strings.training.lossHints[name] ?? strings.training.lossHint(lossLabel(name));
}

/** The short form for tight places: a GAN's two losses by initial, others in full. */
export function lossShort(name: string): string {
  return strings.training.lossShort[name] ?? lossLabel(name);
}

/** "D 1.213 · G 0.905" (or "—" when there are none yet). */
export function formatLosses(losses: Readonly<Record<string, number>> | null | undefined): string {
  const entries = Object.entries(losses ?? {});
  return entries.length === 0 ? '—' : entries.map(([name, value]) => `${lossShort(name)} ${formatLoss(value)}`).join(' · ');
}

/** Every loss name in `records`, in the order first seen: the series a chart or table shows. */
export function lossNames(records: readonly { losses: Readonly<Record<string, number>> }[]): string[] {
  const names = new Set<string>();
  for (const record of records) for (const name of Object.keys(record.losses)) names.add(name);
  return [...names];
}

/** Seconds as people say it: "45 s", "12 m 05 s", "3 h 20 m", "2 d 4 h". */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '—';
  const seconds = Math.round(totalSeconds);
  if (seconds < 60) return words.seconds(seconds);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return words.minutesSeconds(minutes, String(seconds % 60).padStart(2, '0'));
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return words.hoursMinutes(hours, String(minutes % 60).padStart(2, '0'));
  return words.daysHours(Math.floor(hours / 24), hours % 24);
}

/** A time of day for a table row; the date too when it is not today. */
export function formatClock(unixMs: number, nowMs: number = Date.now()): string {
  const date = new Date(unixMs);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (new Date(nowMs).toDateString() === date.toDateString()) return time;
  return `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

/** "just now", "12 s ago", "3 min ago". */
export function formatAgo(unixMs: number, nowMs: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((nowMs - unixMs) / 1000));
  if (seconds < 3) return words.justNow;
  if (seconds < 60) return words.secondsAgo(seconds);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return words.minutesAgo(minutes);
  return words.hoursAgo(Math.floor(minutes / 60));
}

/** A long id for display: the first and last few characters. */
export function shortId(id: string, keep = 6): string {
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-keep)}`;
}

/** Wei as a decimal string → AIRT for people ("1,234.5678"); "—" for anything that is not whole wei. */
export function formatAirtWei(wei: string | null | undefined, decimals = 4): string {
  if (typeof wei !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(wei)) return '—';
  return formatAirt(BigInt(wei), decimals);
}

/** The daily estimate (rewards/estimate.ts) in words: the amount, then what it rests on. */
export function estimateText(estimate: { weiPerDay: string; roundsPerDay: number; contributors: number } | null): { amount: string; basis: string } | null {
  if (!estimate) return null;
  const miners = strings.earnings.miners(estimate.contributors, formatInteger(estimate.contributors));
  // An estimate has no business with many digits: whole AIRT from 100 up, two decimals below.
  const whole = /^\d+$/.test(estimate.weiPerDay) && BigInt(estimate.weiPerDay) >= 100n * 10n ** 18n;
  return {
    amount: formatAirtWei(estimate.weiPerDay, whole ? 0 : 2),
    basis: strings.earnings.estimateBasis(formatInteger(Math.round(estimate.roundsPerDay)), miners),
  };
}

/** Shards as people count them: shard 0 is "#1 of 8". */
export const shardLabel = (shard: number, count: number): string => strings.nodeInfo.shardOf(shard, count);

/** The node's uptime now: what it said when its status arrived, plus the time since (the page's own clock). */
export function liveUptime(uptimeSeconds: number, receivedAt: number, now: number): number {
  return uptimeSeconds + Math.max(0, now - receivedAt) / 1000;
}

/**
 * The largest size (CSS px) at most `available` wide that shows a `native`-pixel image at a whole number of
 * device pixels per image pixel (or a whole number of image pixels per device pixel, when even 1× does not
 * fit), so every grid line has the same thickness.
 */
export function integerScaleSize(available: number, native: number, devicePixelRatio = 1): number {
  if (!(native > 0) || !(available > 0)) return native;
  const dpr = devicePixelRatio > 0 ? devicePixelRatio : 1;
  const room = available * dpr;
  const factor = room >= native ? Math.floor(room / native) : 1 / Math.ceil(native / room);
  return (native * factor) / dpr;
}
