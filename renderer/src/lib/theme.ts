/**
 * The dashboard's theme on the page: `data-theme` on the root element says dark or light (app.css holds both
 * palettes). "system" follows the operating system's preference, also when it changes while the page is open.
 * Pure but for the element and media query passed in.
 */
import type { Theme } from '../../../worker/api/contract.js';

export interface ThemeTarget {
  dataset: { theme?: string };
}

export interface ColorSchemeQuery {
  matches: boolean;
  addEventListener(type: 'change', listener: () => void): void;
  removeEventListener(type: 'change', listener: () => void): void;
}

export function resolveTheme(theme: Theme, prefersLight: boolean): 'dark' | 'light' {
  return theme === 'system' ? (prefersLight ? 'light' : 'dark') : theme;
}

/** Applies `theme` now and, for "system", on every change of the preference; returns the way to stop following it. */
export function applyTheme(theme: Theme, root: ThemeTarget, prefersLight: ColorSchemeQuery): () => void {
  const apply = () => {
    root.dataset.theme = resolveTheme(theme, prefersLight.matches);
  };
  apply();
  if (theme !== 'system') return () => {};
  prefersLight.addEventListener('change', apply);
  return () => prefersLight.removeEventListener('change', apply);
}
