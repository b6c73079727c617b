import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { browserEnv } from './lib/browser.dom.js';
import { createDashboardClient } from './lib/client.js';
import { Dashboard } from './lib/dashboard.svelte.js';
import { WalletModel } from './lib/wallet.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

const client = createDashboardClient(browserEnv());
const dashboard = new Dashboard(client);
const wallet = new WalletModel(client);
mount(App, { target, props: { dashboard, wallet } });
dashboard.start();
