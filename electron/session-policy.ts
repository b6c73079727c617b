/**
 * Session-wide rules for the app's web content: a Content-Security-Policy header on every response (the same
 * policy as the page's <meta>, so a page that loses its meta tag is still covered) and no permissions at all.
 */
import { CONTENT_SECURITY_POLICY } from '../worker/api/csp.js';

export { CONTENT_SECURITY_POLICY };

type Headers = Record<string, string | string[]>;

/** The response headers with our CSP in place of any the response brought (header names are case-insensitive). */
export function withCsp(headers: Headers | undefined): Headers {
  const result: Headers = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

/** The parts of Electron's Session used here. */
export interface PolicySession {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Headers },
        callback: (response: { responseHeaders: Headers }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
}

export function applySessionPolicy(session: PolicySession): void {
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withCsp(details.responseHeaders) }),
  );
  // The miner needs no camera, notifications-from-web, geolocation, …: refuse requests and checks alike.
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
