import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKeyText, findDuplicateKey, type DuplicateKey } from '../../shared/json-duplicate-keys.js';
import { runs } from '../fuzz/fuzz-kit.js';

// The scanner against a reference that never reads the text: JSON is generated as a tree whose
// objects may repeat keys, written out with random whitespace, line ends and key escapes while
// noting where each key's quote lands. The first key that repeats, in text order, is the answer.

type Tree = { kind: 'lit'; text: string } | { kind: 'arr'; items: Tree[]; ws: string } | { kind: 'obj'; pairs: Pair[]; ws: string };
interface Pair {
  readonly key: string;
  /** 0: as JSON.stringify writes it; 1: every UTF-16 unit as \uXXXX; 2: every other unit so */
  readonly escape: number;
  readonly before: string;
  readonly after: string;
  readonly value: Tree;
}

const ws = fc.constantFrom('', ' ', '\n', '\r\n', '\r', '\t', '\n    ', ' \r\n  ');
// few keys, so objects repeat them often; some equal only once decoded
const key = fc.constantFrom('a', 'b', 'listen', 'a"b', '\\', '/', 'é', '😀', '__proto__', '', 'a\nb', '\u2028');
const lit = fc.oneof(
  fc.constantFrom('1', '-0.5e3', 'true', 'false', 'null', '"a"', '"{\\"a\\":1,"', '"\\\\"', '"[,:]"'),
  fc.string({ unit: 'binary', maxLength: 8 }).map((s) => JSON.stringify(s)),
);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    lit.map((text): Tree => ({ kind: 'lit', text })),
    fc.record({ kind: fc.constant('arr' as const), items: fc.array(tie('node'), { maxLength: 4 }), ws }),
    fc.record({
      kind: fc.constant('obj' as const),
      pairs: fc.array(fc.record({ key, escape: fc.integer({ min: 0, max: 2 }), before: ws, after: ws, value: tie('node') }), { maxLength: 5 }),
      ws,
    }),
  ),
})).node;

const unitEscape = (u: string): string => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`;
function keyText(k: string, escape: number): string {
  if (escape === 0) return JSON.stringify(k);
  return `"${[...Array(k.length).keys()].map((i) => (escape === 1 || i % 2 === 0 ? unitEscape(k[i] as string) : (JSON.stringify(k[i]) as string).slice(1, -1))).join('')}"`;
}

interface Written {
  text: string;
  /** every repeat: its quote's index, the first occurrence's, the key and the object's path */
  repeats: { at: number; first: number; key: string; path: (string | number)[] }[];
  keyTokens: number;
}

function write(t: Tree): Written {
  const out: Written = { text: '', repeats: [], keyTokens: 0 };
  const emit = (n: Tree, path: (string | number)[]): void => {
    if (n.kind === 'lit') out.text += n.text;
    else if (n.kind === 'arr') {
      out.text += `[${n.ws}`;
      n.items.forEach((item, i) => {
        if (i > 0) out.text += `,${n.ws}`;
        emit(item, [...path, i]);
      });
      out.text += `${n.ws}]`;
    } else {
      out.text += '{';
      const seen = new Map<string, number>();
      n.pairs.forEach((p, i) => {
        out.text += `${i > 0 ? ',' : ''}${p.before}`;
        const at = out.text.length;
        out.keyTokens++;
        const first = seen.get(p.key);
        if (first === undefined) seen.set(p.key, at);
        else out.repeats.push({ at, first, key: p.key, path });
        out.text += `${keyText(p.key, p.escape)}${p.after}:${p.after}`;
        emit(p.value, [...path, p.key]);
      });
      out.text += `${n.ws}}`;
    }
  };
  emit(t, []);
  return out;
}

/** line and column by splitting: what an editor shows */
function place(text: string, at: number): { line: number; column: number } {
  const lines = text.slice(0, at).split(/\r\n|\r|\n/);
  return { line: lines.length, column: [...(lines[lines.length - 1] as string)].length + 1 };
}

function reference(w: Written): DuplicateKey | null {
  const r = [...w.repeats].sort((a, b) => a.at - b.at)[0];
  if (r === undefined) return null;
  const at = place(w.text, r.at);
  return { key: r.key, path: r.path, line: at.line, column: at.column, firstLine: place(w.text, r.first).line };
}

function keysIn(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + keysIn(x), 0);
  if (typeof v === 'object' && v !== null) return Object.entries(v).reduce((n, [, x]) => n + 1 + keysIn(x), 0);
  return 0;
}

describe('findDuplicateKey', () => {
  it('finds the first repeated key as the reference does: same key, path, line, column and first line', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const w = write(t);
        JSON.parse(w.text); // the precondition: text JSON.parse accepts
        expect(findDuplicateKey(w.text)).toEqual(reference(w));
      }),
      runs(3000),
    );
  });

  it('answers null exactly when JSON.parse kept every key it read', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const w = write(t);
        expect(findDuplicateKey(w.text) === null).toBe(keysIn(JSON.parse(w.text)) === w.keyTokens);
      }),
      runs(3000),
    );
  });

  it('finds none in what JSON.stringify writes, indented or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), (v, indent) => {
        expect(findDuplicateKey(JSON.stringify(v, null, indent))).toBeNull();
      }),
      runs(1000),
    );
  });

  it('returns on any text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        findDuplicateKey(s);
      }),
      runs(2000),
    );
  });

  it.each([
    ['{"a\\"b": 1, "a\\u0022b": 2}', 'a"b'],
    ['{"\\u0061": 1, "a": 2}', 'a'],
    ['{"\\/": 1, "/": 2}', '/'],
    ['{"\\ud83d\\ude00": 1, "😀": 2}', '😀'],
    ['{"__proto__": 1, "__proto__": 2}', '__proto__'],
  ])('compares keys as decoded: %s', (text, k) => {
    expect(findDuplicateKey(text)).toMatchObject({ key: k, line: 1 });
  });

  it.each(['[{"a": 1}, {"a": 2}]', '{"a": {"b": 1}, "b": 2}', '{"a": "b", "b": "a"}', '{"a\\\\": 1, "a": 2}', '{"a": ["a", "a"]}'])(
    'each object is its own scope, and values are not keys: %s',
    (text) => expect(findDuplicateKey(text)).toBeNull(),
  );

  it('names the place: line and column of the repeat (characters, not UTF-16 units), line of the first, the path', () => {
    const text = '{\n  "listen": "127.0.0.1:9443",\r\n  "tls": {"cert": "x"},\r  "peers": [{"n": "😀", "n": 2}]\n}';
    expect(findDuplicateKey(text)).toEqual({ key: 'n', path: ['peers', 0], line: 4, column: 24, firstLine: 4 });
    const twice = '{\n  "listen": "127.0.0.1:9443",\n  "x": 1,\n  "listen": "0.0.0.0:9443"\n}';
    const d = findDuplicateKey(twice);
    expect(d).toEqual({ key: 'listen', path: [], line: 4, column: 3, firstLine: 2 });
    expect(duplicateKeyText('/etc/xenherd/controller.json', d as DuplicateKey)).toBe('/etc/xenherd/controller.json: line 4, column 3: key "listen" appears twice (lines 2 and 4)');
  });

  it('shows a hostile key escaped and clipped', () => {
    const k = `\u001b[31m${'x'.repeat(5000)}`;
    const d = findDuplicateKey(JSON.stringify({ a: 1 }).replace('"a"', `${JSON.stringify(k)}:1,${JSON.stringify(k)}`));
    const text = duplicateKeyText('f', d as DuplicateKey);
    expect(text).not.toContain('\u001b');
    expect(text.length).toBeLessThan(300);
  });

  it('megabytes of nesting cost no call stack: a million [ or { deep', () => {
    const n = 1 << 20;
    expect(findDuplicateKey(`${'['.repeat(n)}${']'.repeat(n)}`)).toBeNull();
    const deep = 200_000;
    const objects = `${'{"a":'.repeat(deep)}{"k": 1, "k": 2}${'}'.repeat(deep)}`;
    JSON.parse(objects);
    const d = findDuplicateKey(objects);
    expect(d).toMatchObject({ key: 'k', line: 1, firstLine: 1 });
    expect(d?.path.length).toBe(deep);
    expect(duplicateKeyText('f', d as DuplicateKey).length).toBeLessThan(300);
  });

  it('stays linear on runs of backslashes and many short strings', () => {
    const inputs = [`["${'\\\\'.repeat(1 << 20)}"]`, `[${'"\\"",'.repeat(1 << 18)}1]`, `{${Array.from({ length: 1 << 16 }, (_, i) => `"k${i}":"\\\\\\"${i}"`).join(',')}}`];
    for (const text of inputs) {
      JSON.parse(text);
      const t0 = performance.now();
      expect(findDuplicateKey(text)).toBeNull();
      // a quadratic scan of these takes minutes; a linear one a few milliseconds
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});
