import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../../electron/electron-binary.js';
import { headlessArgs, headlessNotice, planLaunch } from '../../../electron/launch-plan.js';

describe('planLaunch', () => {
  const binary = '/repo/node_modules/electron/dist/electron';

  it('starts Electron where there is a binary and a display', () => {
    expect(planLaunch({ platform: 'linux', env: { DISPLAY: ':0' }, electronBinary: binary })).toEqual({
      mode: 'electron',
      binary,
    });
    expect(planLaunch({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, electronBinary: binary }).mode).toBe(
      'electron',
    );
    expect(planLaunch({ platform: 'darwin', env: {}, electronBinary: binary }).mode).toBe('electron');
    expect(planLaunch({ platform: 'win32', env: {}, electronBinary: binary }).mode).toBe('electron');
  });

  it('falls back to the headless miner without a binary, whatever the display', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const plan = planLaunch({ platform, env: { DISPLAY: ':0' }, electronBinary: null });
      expect(plan).toMatchObject({ mode: 'headless', reason: expect.stringContaining('Electron binary') });
    }
  });

  it('falls back on Linux without X11 or Wayland', () => {
    const plan = planLaunch({ platform: 'linux', env: { DISPLAY: '' }, electronBinary: binary });
    expect(plan).toMatchObject({ mode: 'headless', reason: expect.stringContaining('no display') });
  });

  it('honours AIRTIST_HEADLESS=1', () => {
    expect(planLaunch({ platform: 'darwin', env: { AIRTIST_HEADLESS: '1' }, electronBinary: binary }).mode).toBe(
      'headless',
    );
  });

  it('says why in one line, and runs the CLI node command', () => {
    const line = headlessNotice('there is no display');
    expect(line).not.toContain('\n');
    expect(line).toContain('there is no display');
    expect(line).toContain('headless miner');
    expect(headlessArgs('/r/dist/worker/cli.js', '/d', 7357)).toEqual([
      '/r/dist/worker/cli.js',
      'node',
      '--data-dir',
      '/d',
      '--port',
      '7357',
    ]);
  });
});

describe('findElectronBinary', () => {
  const pkg = '/repo/node_modules/electron';
  const files = (entries: Record<string, string>) => ({
    readText: (file: string) => entries[file] ?? null,
    exists: (file: string) => file in entries,
  });

  it('reads path.txt and checks the binary is there', () => {
    const binary = path.join(pkg, 'dist', 'electron');
    const fs = files({ [path.join(pkg, 'path.txt')]: 'electron', [binary]: '' });
    expect(findElectronBinary({ packageDir: pkg, env: {}, ...fs })).toBe(binary);
  });

  it('is null when the package, path.txt or the binary is missing', () => {
    expect(findElectronBinary({ packageDir: null, env: {}, ...files({}) })).toBeNull();
    expect(findElectronBinary({ packageDir: pkg, env: {}, ...files({}) })).toBeNull();
    const fs = files({ [path.join(pkg, 'path.txt')]: 'electron' });
    expect(findElectronBinary({ packageDir: pkg, env: {}, ...fs })).toBeNull();
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like electron itself', () => {
    const fs = files({ '/opt/electron/electron': '' });
    expect(findElectronBinary({ packageDir: pkg, env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, ...fs })).toBe(
      '/opt/electron/electron',
    );
  });
});
