import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../worker/default-data-dir.js';

describe('defaultDataDir (must equal Electron userData for "AIRTIST Miner")', () => {
  it('Linux: ~/.config, or XDG_CONFIG_HOME when set', () => {
    expect(defaultDataDir({ platform: 'linux', env: {}, home: '/home/ada' })).toBe('/home/ada/.config/AIRTIST Miner');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '' }, home: '/home/ada' })).toBe(
      '/home/ada/.config/AIRTIST Miner',
    );
    expect(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' }, home: '/home/ada' })).toBe(
      '/xdg/AIRTIST Miner',
    );
    expect(defaultDataDir({ platform: 'freebsd', env: {}, home: '/home/ada' })).toBe('/home/ada/.config/AIRTIST Miner');
  });

  it('macOS: ~/Library/Application Support, whatever XDG says', () => {
    expect(defaultDataDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/xdg' }, home: '/Users/ada' })).toBe(
      '/Users/ada/Library/Application Support/AIRTIST Miner',
    );
  });

  it('Windows: %APPDATA%, with the roaming profile as fallback', () => {
    expect(defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\AIRTIST Miner',
    );
    expect(defaultDataDir({ platform: 'win32', env: {}, home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\AIRTIST Miner',
    );
  });

  it('defaults to this machine', () => {
    expect(defaultDataDir()).toMatch(/AIRTIST Miner$/);
  });
});
