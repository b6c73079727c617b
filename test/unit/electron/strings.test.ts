/** The desktop app's words live in its catalog (electron/strings.ts), so a translation covers the tray and notifications. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../../electron/', import.meta.url);
const sources = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && file !== 'strings.ts')
  .map((file) => ({ file, text: readFileSync(new URL(file, dir), 'utf8') }));

describe('the desktop catalog', () => {
  it('holds every menu label and notification the main process shows', () => {
    // A literal where a menu item's label or a notification's title is given: words outside the catalog.
    const literal = /\blabel:\s*['"`]|\bnotify\(\s*['"`]|\bsetToolTip\(\s*['"`]/;
    const offenders = sources.filter(({ text }) => literal.test(text)).map(({ file }) => file);
    expect(offenders).toEqual([]);
    // The check sees what it guards: the tray builds its menu from labels.
    expect(sources.find(({ file }) => file === 'tray.ts')?.text).toMatch(/\blabel: words\.pause\b/);
  });
});
