/**
 * One save of a settings form (the schedule, the general settings, the network's): the draft as its form
 * validated it, only what changed sent to the node, and an outcome each panel turns into its words. `busy`
 * is on while the node answers.
 */
import type { Settings } from '../../../worker/api/contract.js';

export type Checked<V, E> = { ok: true; value: V } | { ok: false; errors: E };

export type Submitted<E> = { kind: 'invalid'; errors: E } | { kind: 'unchanged' } | { kind: 'saved'; settings: Settings } | { kind: 'failed'; error: unknown };

export async function submitSettings<V, E>(
  checked: Checked<V, E>,
  patchOf: (value: V) => Partial<Settings>,
  save: (patch: Partial<Settings>) => Promise<Settings>,
  busy: (on: boolean) => void,
): Promise<Submitted<E>> {
  if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
  const patch = patchOf(checked.value);
  if (Object.keys(patch).length === 0) return { kind: 'unchanged' };
  busy(true);
  try {
    return { kind: 'saved', settings: await save(patch) };
  } catch (error) {
    return { kind: 'failed', error };
  } finally {
    busy(false);
  }
}
