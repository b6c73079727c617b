/**
 * Electron main entry (package.json "main"). Hands the real Electron modules to createApp; nothing else.
 */
import { app, BrowserWindow, ipcMain, Menu, MessageChannelMain, nativeImage, Notification, powerMonitor, protocol, safeStorage, shell, Tray, utilityProcess } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import electronUpdater from 'electron-updater';
import electronLog from 'electron-log/main';
import { createApp } from './app.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES } from './app-protocol.js';

// Only possible before the app is ready: app:// is a standard, secure origin (the dashboard's).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

createApp({
  app,
  fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
  forkTrainer: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
  MessageChannelMain,
  BrowserWindow,
  openExternal: (url) => shell.openExternal(url),
  Tray,
  Menu,
  nativeImage,
  platform: process.platform,
  powerMonitor,
  Notification,
  argv: process.argv,
  execPath: process.execPath,
  autostartDir: join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart'),
  files: {
    write(path, text) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, { mode: 0o644 });
    },
    remove: (path) => rmSync(path, { force: true }),
  },
  autoUpdater: electronUpdater.autoUpdater,
  safeStorage,
  electronLog,
  showItemInFolder: (path) => shell.showItemInFolder(path),
  serveAppFiles: (handler) => protocol.handle(APP_SCHEME, handler),
  readFile: (file) => readFile(file),
  onSignal: (signal, listener) => process.on(signal, listener),
  ipcMain: { handle: (channel, listener) => ipcMain.handle(channel, (event) => listener({ senderFrame: event.senderFrame ? { url: event.senderFrame.url } : null })) },
});
