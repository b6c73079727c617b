import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { browserEnv } from './lib/browser.dom.js';
import { createDashboardClient } from './lib/client.js';
import { Dashboard } from './lib/dashboard.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

const dashboard = new Dashboard(createDashboardClient(browserEnv()));
mount(App, { target, props: { dashboard } });
dashboard.start();
