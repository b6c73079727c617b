/**
 * The headless node's access token. `airtist node` prints a URL ending in `?token=…`; the first load takes the
 * token from the address bar, keeps it in sessionStorage (so a reload still works) and removes it from the
 * address bar (so it does not linger in history, bookmarks or screenshots).
 *
 * Pure: the browser objects are passed in, so this runs under node in tests.
 */

export const TOKEN_PARAM = 'token';
export const TOKEN_STORAGE_KEY = 'airtist.apiToken';

/** The part of `Storage` used here. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The part of `History` used here. */
export interface HistoryLike {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | null): void;
}

export interface TokenEnv {
  /** `location.href` of the page. */
  href: string;
  /** `sessionStorage`, or null where it is unavailable (some privacy modes throw on access). */
  storage: StorageLike | null;
  history: HistoryLike | null;
}

const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{8,512}$/;

/** The token for this page: from the URL on first load (then saved and removed from the URL), else the saved one. */
export function takeToken(env: TokenEnv): string | null {
  const url = new URL(env.href);
  if (url.searchParams.has(TOKEN_PARAM)) {
    const fromUrl = url.searchParams.get(TOKEN_PARAM)?.trim() ?? '';
    url.searchParams.delete(TOKEN_PARAM);
    try {
      env.history?.replaceState(env.history.state, '', url.pathname + url.search + url.hash);
    } catch {
      // A sandboxed page may refuse; the token still works, it just stays visible.
    }
    if (fromUrl) {
      saveToken(env.storage, fromUrl);
      return fromUrl;
    }
  }
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

export function saveToken(storage: StorageLike | null, token: string): void {
  try {
    storage?.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage full or disabled: the token lives for this page only.
  }
}

/**
 * What a person pasted into the "access link" box: the whole URL printed by `airtist node`, or the bare token.
 * Returns null when it is neither.
 */
export function tokenFromInput(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const token = new URL(trimmed).searchParams.get(TOKEN_PARAM)?.trim();
      return token && TOKEN_PATTERN.test(token) ? token : null;
    } catch {
      return null;
    }
  }
  return TOKEN_PATTERN.test(trimmed) ? trimmed : null;
}

/** `ws(s)://<host>/api/ws?token=…` for the page at `href`. */
export function socketUrl(href: string, token: string | null): string {
  const page = new URL(href);
  const protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  return `${protocol}//${page.host}/api/ws${query}`;
}

/** The plain-http endpoint used to tell "wrong token" from "node down" after a failed WebSocket upgrade. */
export function probeUrl(href: string): string {
  return `${new URL(href).origin}/api/status`;
}
