/** A refused contribution's reason in the reader's words: the catalog's for its code, else the node's own. */
import { strings } from './strings.js';

export function rejectionText(reason: string | null, nodeWords: string | null = null): string | null {
  if (!reason) return nodeWords;
  return Object.hasOwn(strings.earnings.rejections, reason) ? strings.earnings.rejections[reason]! : (nodeWords ?? reason);
}
