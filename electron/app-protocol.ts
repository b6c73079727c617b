/**
 * The app's own `app://airtist/` scheme, from which the window loads the dashboard instead of `file://`: a
 * standard, secure origin of its own (so 'self' in the CSP means the app's files and nothing else on disk),
 * every response carrying the CSP as a header, and no way out of the renderer's build folder. With it the
 * `grantFileProtocolExtraPrivileges` fuse can be off (electron-builder.yml). Pure but for the file read passed in.
 */
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../worker/api/csp.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://airtist';
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`, before the app is ready. */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** True for the app page itself (any hash or query), false for anything else. */
export function isAppPageUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'airtist' && (parsed.pathname === '/index.html' || parsed.pathname === '/');
  } catch {
    return false;
  }
}

/** The file under `root` that `url` names, or null for anything that is not the app's or would leave `root`. */
export function appFilePath(root: string, url: string): string | null {
  let pathname: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== 'airtist') return null;
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null; // not a URL, or a malformed escape
  }
  if (pathname.includes('\0')) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${pathname === '/' ? '/index.html' : pathname}`);
  return file.startsWith(base + path.sep) ? file : null;
}

const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** The handler for `protocol.handle('app', …)`: the renderer build's files, read-only, each with the CSP. */
export function appFileHandler(root: string, readFile: (file: string) => Promise<Uint8Array>): (request: { url: string; method: string }) => Promise<Response> {
  return async ({ url, method }) => {
    if (method !== 'GET' && method !== 'HEAD') return new Response('Method not allowed', { status: 405 });
    const file = appFilePath(root, url);
    if (!file) return notFound();
    let body: Uint8Array;
    try {
      body = await readFile(file);
    } catch {
      return notFound(); // missing, a folder, unreadable: the same answer, and nothing about the disk
    }
    return new Response(method === 'HEAD' ? null : body, {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  };
}
