/**
 * Electron main entry (package.json "main"). Hands the real Electron modules to createApp; nothing else.
 */
import { app, BrowserWindow, Menu, MessageChannelMain, nativeImage, Notification, powerMonitor, shell, Tray, utilityProcess } from 'electron';
import { createApp } from './app.js';

createApp({
  app,
  fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
  MessageChannelMain,
  BrowserWindow,
  openExternal: (url) => shell.openExternal(url),
  Tray,
  Menu,
  nativeImage,
  platform: process.platform,
  powerMonitor,
  Notification,
  onSignal: (signal, listener) => process.on(signal, listener),
});
