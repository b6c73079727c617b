/**
 * The desktop app's own words, in one place so they can be translated: the tray's menu and tooltip, the
 * notifications, the update offers. The node's state labels are shared with the dashboard (worker/api/labels.ts);
 * the dashboard's words are its own catalog (renderer/src/lib/strings.ts).
 */
/** A notification's title and body. */
export type Notice = readonly [title: string, body: string];
const notice = (title: string, body: string): Notice => [title, body];

export const strings = {
  appName: 'AIRTIST Miner',
  tray: {
    /** The tooltip: the app, then the state. */
    tooltip: (detail: string) => `AIRTIST Miner — ${detail}`,
    starting: 'Starting…',
    restarting: 'The miner stopped; restarting it…',
    samplesPerSecond: (rate: string) => `${rate} samples/s`,
    /** "Error (the disk is full)": a state and its reason. */
    withReason: (label: string, reason: string) => `${label} (${reason})`,
    earnedToday: (amount: string) => `AIRT earned today: ${amount}`,
    pause: 'Pause',
    pauseForHour: 'Pause for 1 hour',
    finishRound: 'Finish the round, then pause',
    resume: 'Resume',
    open: 'Open AIRTIST Miner',
    exportDiagnostics: 'Export diagnostics…',
    quit: 'Quit',
  },
  notifications: {
    firstAccepted: notice('Your first contribution was accepted', 'The network took this computer’s work into its model: AIRT is credited to you from now on.'),
    claimable: (amount: string) => notice('AIRT to claim', `${amount} AIRT can be claimed into your wallet.`),
    crashed: (seconds: number, code: number | null) =>
      notice('The miner stopped unexpectedly', `It restarts in ${seconds} s${code === null ? '' : ` (exit code ${code})`}; your work so far is saved.`),
    diagnosticsFailed: (reason: string) => notice('Could not export diagnostics', reason),
  },
  updates: {
    download: (version: string) => `Download update ${version}`,
    downloading: (version: string) => `Downloading update ${version}…`,
    restart: (version: string) => `Restart to update to ${version}`,
    available: (version: string) => notice(`AIRTIST Miner ${version} is available`, 'Click to download it; it installs when you restart the app.'),
    ready: (version: string) => notice(`AIRTIST Miner ${version} is ready`, 'Click to restart and update now, or it installs when you next quit.'),
  },
} satisfies Record<string, unknown>;

