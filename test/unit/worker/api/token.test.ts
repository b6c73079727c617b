import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerToken, loadOrCreateToken, TOKEN_FILE, tokenMatches } from '../../../../worker/api/token.js';

describe('api token', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'airtist-token-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('creates a 256-bit token readable only by its owner, and keeps it', () => {
    const dir = tempDir();
    const token = loadOrCreateToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(dir)).toBe(token);
  });

  it('replaces a damaged token file instead of accepting it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, TOKEN_FILE), 'abc\n', { mode: 0o644 });
    const token = loadOrCreateToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, TOKEN_FILE), 'utf8').trim()).toBe(token);
    expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });

  it('matches only the exact token', () => {
    const token = 'a'.repeat(64);
    expect(tokenMatches(token, token)).toBe(true);
    for (const guess of [undefined, null, '', 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), `${token} `]) {
      expect(tokenMatches(token, guess)).toBe(false);
    }
  });

  it('reads bearer tokens from Authorization headers', () => {
    expect(bearerToken('Bearer abc123')).toBe('abc123');
    expect(bearerToken('bearer abc123')).toBe('abc123');
    expect(bearerToken('Basic abc123')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
