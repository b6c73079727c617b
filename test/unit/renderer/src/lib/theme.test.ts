import { describe, expect, it } from 'vitest';
import { applyTheme, resolveTheme, type ColorSchemeQuery } from '../../../../../renderer/src/lib/theme.js';

class FakeQuery implements ColorSchemeQuery {
  listeners = new Set<() => void>();
  constructor(public matches: boolean) {}
  addEventListener(_: 'change', listener: () => void) {
    this.listeners.add(listener);
  }
  removeEventListener(_: 'change', listener: () => void) {
    this.listeners.delete(listener);
  }
  change(matches: boolean) {
    this.matches = matches;
    for (const listener of this.listeners) listener();
  }
}

describe('theme', () => {
  it('resolves system to the preference, and a chosen theme to itself', () => {
    expect([resolveTheme('system', true), resolveTheme('system', false), resolveTheme('dark', true), resolveTheme('light', false)]).toEqual(['light', 'dark', 'dark', 'light']);
  });

  it('follows the system while it is the setting, and stops when told', () => {
    const root = { dataset: {} as { theme?: string } };
    const query = new FakeQuery(false);
    const stop = applyTheme('system', root, query);
    expect(root.dataset.theme).toBe('dark');
    query.change(true);
    expect(root.dataset.theme).toBe('light');
    stop();
    query.change(false);
    expect(root.dataset.theme).toBe('light');
    expect(query.listeners.size).toBe(0);
  });

  it('holds a chosen theme whatever the system prefers', () => {
    const root = { dataset: {} as { theme?: string } };
    const query = new FakeQuery(true);
    applyTheme('dark', root, query);
    query.change(true);
    expect(root.dataset.theme).toBe('dark');
    expect(query.listeners.size).toBe(0);
  });
});
