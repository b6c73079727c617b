import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_PAGE_URL, APP_SCHEME_PRIVILEGES, appFileHandler, appFilePath, isAppPageUrl } from '../../../electron/app-protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../../worker/api/csp.js';

const root = mkdtempSync(join(tmpdir(), 'airtist-app-protocol-'));
mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>AIRTIST</title>');
writeFileSync(join(root, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'the keystore password');
const rendererDir = join(root, 'renderer');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const handler = appFileHandler(rendererDir, (file) => readFile(file));
const get = (url: string, method = 'GET') => handler({ url, method });

describe('the app:// scheme', () => {
  it('is a standard, secure origin of its own', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
    expect(APP_PAGE_URL).toBe('app://airtist/index.html');
  });

  it('serves the page and its assets with their types, the CSP and nosniff', async () => {
    const page = await get('app://airtist/index.html');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>AIRTIST</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('app://airtist/')).status).toBe(200);
    const script = await get('app://airtist/assets/index-abc.js?v=1#x');
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    const head = await get('app://airtist/index.html', 'HEAD');
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('never leaves the build folder, whatever the path says', async () => {
    for (const url of [
      'app://airtist/../secret.txt',
      'app://airtist/%2e%2e/secret.txt',
      'app://airtist/..%2Fsecret.txt',
      'app://airtist/assets/..%2F..%2Fsecret.txt',
      'app://airtist/%2E%2E%5Csecret.txt',
      'app://airtist/index.html%00.png',
      'app://airtist/%E0%A4%A',
      `app://airtist/${encodeURIComponent(join(root, 'secret.txt'))}`,
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('keystore');
    }
    expect(appFilePath(rendererDir, 'app://airtist/../secret.txt')).toBe(join(rendererDir, 'secret.txt')); // dots resolve inside
    expect(appFilePath(rendererDir, 'app://airtist/..%2Fsecret.txt')).toBeNull(); // an escaped slash would leave
    expect(appFilePath(rendererDir, 'app://airtist/assets/index-abc.js')).toBe(join(rendererDir, 'assets', 'index-abc.js'));
  });

  it('answers a missing file or a folder with 404, and refuses to be written to', async () => {
    expect((await get('app://airtist/missing.js')).status).toBe(404);
    expect((await get('app://airtist/assets')).status).toBe(404);
    expect((await get('app://airtist/index.html', 'POST')).status).toBe(405);
  });

  it('knows the app page, at any hash, from every other URL', () => {
    expect(isAppPageUrl('app://airtist/index.html#earnings')).toBe(true);
    expect(isAppPageUrl('app://airtist/')).toBe(true);
    for (const url of ['app://airtist/assets/x.js', 'app://evil/index.html', 'file:///app/index.html', 'https://airtist/index.html', '']) {
      expect(isAppPageUrl(url), url).toBe(false);
    }
  });
});
