/**
 * The dashboard's words live in renderer/src/lib/strings.ts, so they can be translated: no component spells
 * English inline. This reads every component with Svelte's own parser and fails on
 *  - a text node with a letter in it (markup text is written `{strings.…}`);
 *  - a literal value with a letter in it of an attribute or prop that carries text (aria-label, title,
 *    placeholder, alt, and the components' label/legend/unit/… props);
 *  - a string in script or in a `{…}` expression that reads as English: several words, a capitalised word
 *    or an ellipsis. Single lowercase words ("pause", "airt") are data values, not text, and pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import { STATE_LABELS } from '../../../worker/api/labels.js';
import { strings, type Strings } from '../../../renderer/src/lib/strings.js';

const SRC = fileURLToPath(new URL('../../../renderer/src/', import.meta.url));

/** Attributes and component props whose value people read. */
const TEXT_ATTRIBUTES = new Set(['aria-label', 'aria-valuetext', 'aria-description', 'title', 'placeholder', 'alt', 'label', 'legend', 'unit', 'detail', 'action', 'busytext', 'what']);

/** Strings that read as English but are not text for people: key names compared with `event.key`, a media query. */
const ALLOWED_LITERALS = new Set(['Home', 'End', '(prefers-color-scheme: light)']);

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return svelteFiles(path);
    return entry.name.endsWith('.svelte') ? [path] : [];
  });
}

const hasLetter = (text: string) => /\p{L}/u.test(text);

/** A string in code that reads as text for people rather than a value. */
function readsAsEnglish(text: string): boolean {
  if (!hasLetter(text) || ALLOWED_LITERALS.has(text.trim())) return false;
  return /\p{L}{2,}[,.:;!?]?\s+\p{L}/u.test(text) || /(^|\s)\p{Lu}\p{Ll}/u.test(text) || /\p{L}…/u.test(text);
}

interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

type AstNode = { type?: string; start?: number; [key: string]: unknown };

/** Inline English in one component's source: what the check above finds, with where. */
function inlineText(source: string, file = 'component.svelte'): Finding[] {
  const ast = parse(source, { modern: true }) as unknown as AstNode;
  const findings: Finding[] = [];
  const lineOf = (offset: unknown) => (typeof offset === 'number' ? source.slice(0, offset).split('\n').length : 0);
  const add = (node: AstNode, text: string, why: string) => findings.push({ file, line: lineOf(node.start), text: text.trim(), why });

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as AstNode;
    switch (node.type) {
      // CSS, markup comments and module paths are not text.
      case 'StyleSheet':
      case 'Comment':
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        return;
      case 'StyleDirective': {
        const parts = Array.isArray(node.value) ? node.value : [node.value];
        for (const part of parts as AstNode[]) if (part?.type === 'ExpressionTag') visit(part);
        return;
      }
      case 'Text':
        if (hasLetter(String(node.data))) add(node, String(node.data), 'text in markup');
        return;
      case 'Attribute': {
        const name = String(node.name).toLowerCase();
        const parts = Array.isArray(node.value) ? node.value : node.value === true ? [] : [node.value];
        for (const part of parts as AstNode[]) {
          if (part.type === 'Text') {
            if (TEXT_ATTRIBUTES.has(name) && hasLetter(String(part.data))) add(part, String(part.data), `literal ${name}="…"`);
          } else visit(part);
        }
        return;
      }
      case 'Literal':
        if (typeof node.value === 'string' && readsAsEnglish(node.value)) add(node, node.value, 'English string in code');
        return;
      case 'TemplateElement': {
        const cooked = (node.value as { cooked?: string } | undefined)?.cooked ?? '';
        if (readsAsEnglish(cooked)) add(node, cooked, 'English in a template literal');
        return;
      }
    }
    for (const [key, child] of Object.entries(node)) {
      // Comments ride along on ESTree nodes; positions and the raw source are not children.
      if (key === 'leadingComments' || key === 'trailingComments' || key === 'raw' || key === 'loc') continue;
      visit(child);
    }
  };
  visit(ast);
  return findings;
}

describe('components keep their words in lib/strings.ts', () => {
  const files = svelteFiles(SRC);

  it('finds the components', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.map((file) => relative(SRC, file))).toContain(join('components', 'wallet', 'WalletPage.svelte'));
  });

  it('no component spells English inline', () => {
    const findings = files.flatMap((file) => inlineText(readFileSync(file, 'utf8'), relative(SRC, file)));
    expect(findings.map((f) => `${f.file}:${f.line} ${f.why}: ${JSON.stringify(f.text)}`)).toEqual([]);
  });

  it('catches each way English creeps back in', () => {
    const component = (markup: string, script = '') => `<script lang="ts">\n  import { strings } from './strings.js';\n${script}\n</script>\n\n${markup}\n`;
    expect(inlineText(component('<p>{strings.common.save}</p>'))).toEqual([]);
    expect(inlineText(component('<p>Save</p>'))).toHaveLength(1);
    expect(inlineText(component('<button aria-label="Close the panel">×</button>'))).toHaveLength(1);
    expect(inlineText(component('<input placeholder="0x…" />'))).toHaveLength(1);
    expect(inlineText(component('<Card label="Today" />'))).toHaveLength(1);
    expect(inlineText(component("<p>{busy ? 'Saving…' : strings.common.save}</p>"))).toHaveLength(1);
    expect(inlineText(component('<p title={`Closes at ${time}`}>{time}</p>'))).toHaveLength(1);
    expect(inlineText(component('<p>{error}</p>', "  const error = 'Could not pause';"))).toHaveLength(1);
    // Values, ids, classes, test ids and comments are not text.
    expect(inlineText(component('<!-- A note for developers. -->\n<p class="hint big" data-testid="claim-status" id="x">{mode === \'idle\' ? 1 : 2}</p>', '  // Why this is so.\n  const mode = \'schedule-mode\';'))).toEqual([]);
  });
});

describe('the catalog', () => {
  it('writes counts in the singular for one and the plural otherwise', () => {
    expect(strings.network.peers(0)).toBe('0 peers');
    expect(strings.network.peers(1)).toBe('1 peer');
    expect(strings.network.peers(2)).toBe('2 peers');
    expect(strings.network.peers(1200, '1,200')).toBe('1,200 peers');
    expect(strings.training.workUnits(1)).toBe('1 unit');
    expect(strings.training.workUnits(12)).toBe('12 units');
    expect(strings.earnings.miners(1)).toBe('1 miner');
    expect(strings.earnings.miners(3)).toBe('3 miners');
    expect(strings.wallet.wrongWords([4])).toBe('Word 4 is not right: check what you wrote.');
    expect(strings.wallet.wrongWords([2, 9])).toBe('Word 2 and 9 are not right: check what you wrote.');
  });

  it('fills values into their sentences', () => {
    expect(strings.connection.tryingAgainIn(3, 1)).toBe('Trying again in 3 s.');
    expect(strings.connection.tryingAgainIn(3, 4)).toBe('Trying again in 3 s (attempt 4).');
    expect(strings.networkSettings.pending('the port', true)).toBe('Saved. The miner uses the port when it restarts.');
    expect(strings.networkSettings.pending('the port', false)).toBe('Saved. The miner uses the port when it restarts (restart airtist node).');
    expect(strings.wallet.unlocked(null)).toBe('Unlocked.');
    expect(strings.wallet.unlocked('14:05')).toBe('Unlocked, locks itself at 14:05.');
    expect(strings.onboarding.speed('12.5', true)).toBe('This computer trains at 12.5 samples a second right now (about half that in quiet mode).');
    expect(strings.connection.unauthorizedHelp.length % 2).toBe(1);
  });

  it('names the node states as the tray does', () => {
    expect(strings.state.labels).toEqual(STATE_LABELS);
  });

  it('holds only strings, string lists and functions of them, without blanks', () => {
    const walk = (value: unknown, path: string): string[] => {
      if (typeof value === 'string') return value.trim() === '' ? [path] : [];
      if (typeof value === 'function') return [];
      if (Array.isArray(value)) return value.flatMap((item, i) => walk(item, `${path}[${i}]`));
      if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => walk(item, `${path}.${key}`));
      return [`${path} (${typeof value})`];
    };
    expect(walk(strings, 'strings')).toEqual([]);
  });

  it('is a type a translation can fill in', () => {
    // A translation is another object of the same type: here, a copy with one sentence changed.
    const other: Strings = { ...strings, common: { ...strings.common, save: 'Enregistrer' } };
    expect(other.common.save).not.toBe(strings.common.save);
  });
});
