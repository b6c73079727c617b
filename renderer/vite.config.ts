/**
 * Builds the dashboard into dist/renderer. One build serves both hosts: Electron loads index.html from
 * file:// (hence the relative base) and the headless node serves the same files over loopback http.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from '../worker/api/csp.js';

const rendererDir = fileURLToPath(new URL('.', import.meta.url));

/** Writes the one CSP definition into index.html's <meta>, so the page never drifts from the servers' header. */
const cspMeta: Plugin = {
  name: 'airtist-csp-meta',
  transformIndexHtml: (html) => html.replace('%AIRTIST_CSP%', CONTENT_SECURITY_POLICY_META),
};

export default defineConfig({
  root: rendererDir,
  base: './',
  plugins: [svelte(), cspMeta],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The page runs under `script-src 'self'`: keep every script an external file, and ship no inline
    // module-preload polyfill (Electron's Chromium and any current browser support modulepreload).
    modulePreload: { polyfill: false },
    // Small assets as data: URIs are allowed by img-src, but fonts/scripts are not: never inline them.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: true,
  },
  server: { host: '127.0.0.1' },
});
