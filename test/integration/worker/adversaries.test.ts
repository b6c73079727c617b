/**
 * Cheats among real miner processes on loopback (`airtist node --adversary KIND`, worker/rounds/adversary.ts):
 * three honest peers and one peer of each kind, in two swarms so that each stays small enough for two cores.
 * In every round all of them train in, each cheat's contribution is refused for its kind's reason and credited
 * nothing, by its own ledger and by the honest ones'; every honest contribution is accepted; every peer holds
 * the same model hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdversaryKind } from '../../../worker/rounds/adversary.js';

// From the build: the swarm spawns dist/worker/cli.js next to it.
const { Swarm, roundLine, rewardAddressOf } = (await import(new URL('../../../dist/worker/swarm/swarm.js', import.meta.url).href)) as typeof import('../../../worker/swarm/swarm.js');
type Swarm = import('../../../worker/swarm/swarm.js').Swarm;

const HONEST = 3;
const ROUNDS = 3;
const ROUND_TIMEOUT_MS = 90_000;

/** What each cheat is refused for (worker/verify/): the defence that is named for it. */
const REASON: Record<AdversaryKind, string> = {
  zero: 'zero',
  noise: 'direction',
  scaled: 'norm',
  signflip: 'direction',
  nan: 'non-finite',
  freerider: 'samples',
  copycat: 'copy',
  replay: 'replay',
  stalebase: 'wrong-base',
};

describe.each<[AdversaryKind[]]>([[['zero', 'noise', 'scaled', 'signflip', 'nan']], [['freerider', 'copycat', 'replay', 'stalebase']]])(
  'three honest peers and cheats of kinds %j',
  (kinds) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'airtist-adversaries-'));
    const lines: string[] = [];
    let swarm: Swarm;
    let failed = false;

    beforeAll(async () => {
      swarm = await Swarm.start(
        // Every peer's contribution closes the round: each cheat's is judged in every round, none left out.
        // Short rounds of H 5 at batch 8: eight processes share two cores, and each must reach H in the window.
        { dataDir, roundSeconds: 10, innerSteps: 5, batchSize: 8, model: 'mlp-gan', backend: 'wasm', quorum: HONEST + kinds.length, print: (line) => lines.push(line) },
        HONEST,
      );
      for (const kind of kinds) await swarm.add(kind);
    }, 300_000);

    afterAll(async () => {
      await swarm?.stop();
      if (failed) console.error(`swarm logs kept in ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    });

    it(`every cheat is refused for its reason in each of ${ROUNDS} rounds and credited 0; every honest contribution is accepted`, async () => {
      try {
        const first = await swarm.nextFullRound(ROUND_TIMEOUT_MS);
        const last = first + ROUNDS - 1;
        for (let round = first; round <= last; round++) {
          await swarm.waitPast(round, ROUND_TIMEOUT_MS);
          const described = await swarm.settled(round, 20_000);
          lines.push(roundLine(described));
          expect(described.agree, lines.join('\n')).toBe(true);
        }
        const context = () => lines.join('\n');
        for (const member of swarm.members) {
          const { contributions, totals } = await member.api.call('earnings', { limit: 1000 });
          const watched = contributions.filter((c) => c.round >= first && c.round <= last);
          const seen = watched.map((c) => `${c.round}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ');
          lines.push(`${member.name} (${member.kind}): ${seen}`);
          const rounds = Array.from({ length: ROUNDS }, (_, i) => first + i);
          if (member.kind === 'honest') {
            // One accepted contribution in each round. An honest peer that took a fallback's commit before the
            // better-ranked one reached it made its next contribution on the losing base: that one is refused
            // as made on another base, and the steps in it go into the next (error feedback); nothing else.
            const accepted = watched.filter((c) => c.status === 'accepted');
            expect(accepted.map((c) => c.round).sort((a, b) => a - b), `${member.name}: ${seen}${context()}`).toEqual(rounds);
            expect(watched.filter((c) => c.status !== 'accepted').map((c) => `${c.status} ${c.reason}`), `${member.name}: ${seen}${context()}`).toEqual(
              watched.filter((c) => c.status !== 'accepted').map(() => 'rejected wrong-base'),
            );
          } else {
            // One contribution in each round (a copycat and a replayer have something to copy once a round is in).
            expect(watched.map((c) => c.round).sort((a, b) => a - b), `${member.name} (${member.kind})${context()}`).toEqual(rounds);
            expect(watched.map((c) => `${c.status} ${c.reason}`), `${member.name} (${member.kind})${context()}`).toEqual(watched.map(() => `rejected ${REASON[member.kind as AdversaryKind]}`));
            expect(totals.creditedWei, member.name).toBe('0');
          }
        }
        // The honest peers' reward tables credit the cheats' addresses nothing, and credit every honest one.
        const cheats = swarm.members.filter((m) => m.kind !== 'honest').map((m) => rewardAddressOf(m.name));
        const honest = swarm.members.filter((m) => m.kind === 'honest');
        for (const member of honest) {
          const db = new Database(join(member.dataDir, 'ledger.sqlite'), { readonly: true });
          try {
            const credited = db
              .prepare<[], { address: string; wei: string }>("SELECT reward_address AS address, credited_wei AS wei FROM contributions WHERE credited_wei IS NOT NULL AND credited_wei != '0'")
              .all();
            expect(credited.filter((row) => cheats.includes(row.address)), `${member.name} credits a cheat`).toEqual([]);
            expect(new Set(credited.map((row) => row.address)), member.name).toEqual(new Set(honest.map((m) => rewardAddressOf(m.name))));
          } finally {
            db.close();
          }
        }
      } catch (error) {
        failed = true;
        throw error;
      }
    }, 600_000);
  },
);
