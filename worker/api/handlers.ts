/** The control API's handlers: each method of the contract, answered from the node's services. */
import type { Earnings, NetworkStatus, ProgressPoint, RoundRecord, SamplesFrame, Settings, StateInfo, Status } from './contract.js';
import type { Handlers } from './dispatch.js';
import type { LedgerService } from '../ledger/service.js';

export interface HandlerDeps {
  status(): Status;
  state(): StateInfo;
  /** Resolve once the trainer confirmed; the reply is then the state it confirmed. */
  pause(): Promise<unknown>;
  resume(): Promise<unknown>;
  settings(): Settings;
  updateSettings(patch: Partial<Settings>): Settings;
  ledger: LedgerService;
  latestSamples(): SamplesFrame | null;
  progressHistory(): ProgressPoint[];
  network(): NetworkStatus;
  roundHistory(limit: number): RoundRecord[];
  earnings(limit: number): Earnings;
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
  };
}
