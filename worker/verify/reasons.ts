/**
 * Why a contribution earns nothing and stays out of the model: one code per reason, as commits carry them (by
 * index: append only) and the ledger stores them, and the words miners read.
 */
export const REJECTION_REASONS = ['wrong-run', 'wrong-round', 'wrong-base', 'non-finite', 'samples', 'replay', 'zero', 'norm', 'copy', 'no-improvement', 'malformed', 'direction'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The words the dashboard and the CLI show for each reason. */
export const REJECTION_WORDS: Record<RejectionReason, string> = {
  'wrong-run': 'trained for another run',
  'wrong-round': 'sent for another round',
  'wrong-base': 'trained from another model than the round’s',
  'non-finite': 'the update holds NaN or infinite values',
  samples: 'its claim does not add up: the samples, steps and size of the update disagree',
  replay: 'an update that was already contributed',
  zero: 'the update is (almost) zero',
  norm: 'the update is far larger than the others',
  copy: 'a copy of another peer’s update',
  'no-improvement': 'it did not improve the model on its own data',
  malformed: 'its signed payload does not decode',
  direction: 'the update points nowhere near where the round’s other updates do',
};
