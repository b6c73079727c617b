/** The control API's handlers: each method of the contract, answered from the node's services. */
import type { DiagnosticsExport, Earnings, NetworkStatus, ProgressPoint, RoundRecord, SamplesFrame, Settings, StateInfo, Status } from './contract.js';
import { ApiRefusal, type Handlers } from './dispatch.js';
import type { LedgerService } from '../ledger/service.js';
import type { ReportedSignals } from '../scheduler/signals.js';
import { WalletRefusal, type NodeWallet } from '../wallet/service.js';

export interface HandlerDeps {
  status(): Status;
  state(): StateInfo;
  /** Resolve once the trainer confirmed; the reply is then the state it confirmed. */
  pause(): Promise<unknown>;
  pauseFor(minutes: number): Promise<unknown>;
  /** Pauses once this round's contribution is sent; resolves at once (the state says it waits). */
  pauseAfterRound(): Promise<unknown>;
  resume(): Promise<unknown>;
  /** The desktop app's signals for the scheduler; resolves once the trainer did what they decide. */
  reportSignals(signals: ReportedSignals): Promise<unknown>;
  settings(): Settings;
  updateSettings(patch: Partial<Settings>): Settings;
  ledger: LedgerService;
  latestSamples(): SamplesFrame | null;
  progressHistory(): ProgressPoint[];
  network(): NetworkStatus;
  roundHistory(limit: number): RoundRecord[];
  earnings(limit: number): Earnings;
  /** Null until the node's wallet service is up (an offline node has none). */
  wallet(): NodeWallet | null;
  exportDiagnostics(): DiagnosticsExport;
}

/** The wallet's refusals reach the user as REFUSED with their words; anything else is an internal failure. */
async function walletCall<T>(deps: HandlerDeps, use: (wallet: NodeWallet) => Promise<T> | T): Promise<T> {
  const wallet = deps.wallet();
  if (!wallet) throw new ApiRefusal('this node has no wallet: it runs offline (start it on the network to earn and claim)');
  try {
    return await use(wallet);
  } catch (error) {
    if (error instanceof WalletRefusal) throw new ApiRefusal(error.message);
    throw error;
  }
}

export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    status: () => deps.status(),
    pause: async () => {
      await deps.pause();
      return deps.state();
    },
    resume: async () => {
      await deps.resume();
      return deps.state();
    },
    pauseAfterRound: async () => {
      await deps.pauseAfterRound();
      return deps.state();
    },
    pauseFor: async ({ minutes }) => {
      await deps.pauseFor(minutes);
      return deps.state();
    },
    reportSignals: async (signals) => {
      await deps.reportSignals(signals);
      return deps.state();
    },
    getSettings: () => deps.settings(),
    setSettings: (patch) => deps.updateSettings(patch),
    workHistory: ({ limit, beforeId }) => ({
      units: deps.ledger.ledger.workHistory({ limit, ...(beforeId ? { beforeId } : {}) }),
      today: deps.ledger.today(),
      total: deps.ledger.allTime,
    }),
    latestSamples: () => deps.latestSamples(),
    progressHistory: () => deps.progressHistory(),
    network: () => deps.network(),
    roundHistory: ({ limit }) => ({ rounds: deps.roundHistory(limit) }),
    earnings: ({ limit }) => deps.earnings(limit),
    walletStatus: () => walletCall(deps, (wallet) => wallet.info()),
    walletCreate: ({ password }) => walletCall(deps, (wallet) => wallet.create(password)),
    walletImport: ({ password, secret }) => walletCall(deps, (wallet) => wallet.import(password, secret)),
    walletUnlock: ({ password, remember }) => walletCall(deps, (wallet) => wallet.unlock(password, remember)),
    walletLock: () => walletCall(deps, (wallet) => wallet.lock()),
    walletForgetUnlock: () => walletCall(deps, (wallet) => wallet.forgetUnlock()),
    walletExport: ({ password }) => walletCall(deps, async (wallet) => ({ mnemonic: await wallet.exportMnemonic(password) })),
    walletBalances: () => walletCall(deps, (wallet) => wallet.balances()),
    walletClaim: () => walletCall(deps, (wallet) => wallet.claim()),
    walletSend: ({ to, amount, coin }) => walletCall(deps, (wallet) => wallet.send(to, amount, coin)),
    walletHistory: ({ limit }) => walletCall(deps, (wallet) => ({ transactions: wallet.history(limit) })),
    exportDiagnostics: () => {
      try {
        return deps.exportDiagnostics();
      } catch (error) {
        // A full disk or a data dir gone read-only: the user reads why, the node goes on.
        throw new ApiRefusal(`could not write the diagnostics file: ${(error as Error).message}`);
      }
    },
  };
}
