/**
 * The history a round's scale is judged by (a typical norm, a typical gain): the median of the round's
 * own values and those accepted in the last few rounds. The accepted history keeps a round in which cheats
 * outnumber honest peers from setting its own scale (three honest beside noise, sign-flip and ×20 updates:
 * the round's own median let the ×20 one through); keeping it to a few rounds lets the scale follow the GAN,
 * whose gains can fall fourfold from one round to the next. A history of 32 accepted values did not: once the
 * gains fell it refused every honest peer, and with nothing accepted it never moved again (all 4 peers
 * refused from round 26 of 50).
 */

/** Values by the round they were accepted in, kept for `rounds` rounds: what a later round tops its scale up with. */
export class RecentValues {
  private readonly byRound = new Map<number, readonly number[]>();

  constructor(private readonly rounds: number) {}

  set(round: number, values: readonly number[]): void {
    this.byRound.set(round, values);
    for (const r of this.byRound.keys()) if (r <= round - this.rounds) this.byRound.delete(r);
  }

  /** The values of the rounds before `round` and within the window, newest round first. */
  before(round: number): number[] {
    return [...this.byRound]
      .filter(([r]) => r < round && r > round - 1 - this.rounds)
      .sort(([a], [b]) => b - a)
      .flatMap(([, values]) => [...values].reverse());
  }
}
