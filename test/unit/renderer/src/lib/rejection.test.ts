import { describe, expect, it } from 'vitest';
import { rejectionText } from '../../../../../renderer/src/lib/rejection.js';
import { REJECTION_REASONS } from '../../../../../worker/verify/reasons.js';

describe('refusal reasons in the catalog', () => {
  it('words every reason code the network sends, and the ledger’s left-out one', () => {
    for (const code of [...REJECTION_REASONS, 'not in the commit']) {
      const text = rejectionText(code, 'NODE WORDS');
      expect(text, code).not.toBe('NODE WORDS');
      expect(text!.length, code).toBeGreaterThan(5);
    }
  });

  it("falls back to the node's words for a code it does not know, even one named like an object's own key", () => {
    expect(rejectionText('future-code', 'from a newer node')).toBe('from a newer node');
    expect(rejectionText('constructor', 'node words')).toBe('node words');
    expect(rejectionText('__proto__', null)).toBe('__proto__');
    expect(rejectionText(null, 'words')).toBe('words');
    expect(rejectionText(null)).toBeNull();
  });
});
