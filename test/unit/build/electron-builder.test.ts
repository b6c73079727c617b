import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

/** The packaging config as electron-builder reads it (`npm run dist` cannot run here: it downloads Electron). */
const config = load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, Record<string, unknown>>;

describe('electron-builder.yml', () => {
  it('flips the fuses that stop other code running as the app', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('keeps native modules and the wasm kernels out of the asar, and every platform only its own EVM', () => {
    const unpacked = config.asarUnpack as unknown as string[];
    for (const pattern of ['better-sqlite3', 'tfjs-node', 'tfjs-backend-wasm/dist/*.wasm', '@nomicfoundation/edr']) {
      expect(unpacked.some((entry) => entry.includes(pattern)), pattern).toBe(true);
    }
    expect(config.linux!.files).toEqual(['!**/node_modules/@nomicfoundation/*-{darwin,win32}-*{,/**}']);
    expect(config.win!.files).toEqual(['!**/node_modules/@nomicfoundation/*-{darwin,linux}-*{,/**}']);
    expect(config.mac!.files).toEqual(['!**/node_modules/@nomicfoundation/*-{linux,win32}-*{,/**}']);
  });

  it('builds an AppImage and a deb with its dependencies and a maintainer', () => {
    expect(config.linux!.target).toEqual(['AppImage', 'deb']);
    expect(config.linux!.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+\.[a-z]+>$/);
    const depends = config.deb!.depends as string[];
    for (const needed of ['libgtk-3-0', 'libnss3', 'libnotify4', 'libsecret-1-0']) expect(depends).toContain(needed);
    expect(depends.some((entry) => entry.includes('appindicator'))).toBe(true); // the tray
  });

  it('installs per user on Windows and never deletes the data folder with the wallet', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: false, deleteAppDataOnUninstall: false });
  });

  it('signs macOS builds with the hardened runtime and entitlements that exist', () => {
    expect(config.mac).toMatchObject({ hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist', entitlementsInherit: 'build/entitlements.mac.plist' });
    const plist = readFileSync('build/entitlements.mac.plist', 'utf8');
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((match) => match[1]);
    expect(keys.sort()).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory', 'com.apple.security.cs.disable-library-validation']);
  });

  it('tells the updater where releases are, over https', () => {
    expect(config.publish).toMatchObject({ provider: 'generic', channel: 'latest' });
    expect(String(config.publish!.url)).toMatch(/^https:\/\//);
  });
});
