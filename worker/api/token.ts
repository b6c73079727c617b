/** The dashboard/API token: random, kept in the data dir (0600), compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readOrCreateSecret } from '../data-dir.js';

export const TOKEN_FILE = 'api-token';

export function loadOrCreateToken(dataDir: string): string {
  return readOrCreateSecret(dataDir, TOKEN_FILE, 32);
}

/**
 * True when `presented` is the token. Both sides are hashed first so the comparison takes the same time
 * whatever the length or content of the guess.
 */
export function tokenMatches(expected: string, presented: string | null | undefined): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

/** The token from an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
