/**
 * Preload of the app window (sandboxed; bundled by esbuild into dist/electron/preload.cjs).
 * Everything it does is in bridge.ts; this file only supplies the real Electron objects.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './bridge.js';

exposeBridge({ contextBridge, ipcRenderer });
