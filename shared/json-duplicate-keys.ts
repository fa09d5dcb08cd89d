import { lineAndColumn } from './text/line-column.js';
import { clipped, printable } from './text/printable.js';

/**
 * The first key that appears twice in one JSON object. JSON.parse keeps the last of two equal
 * keys without a word, so an operator who adds `"listen"` near the top of a file that already
 * has an older `"listen"` lower down would run with the older one: the files people edit, and
 * those read back from disk, are refused instead (the loaders say so, naming the place).
 */
export interface DuplicateKey {
  /** the key as JSON.parse decodes it (`"\u0061"` is `a`) */
  readonly key: string;
  /** where the object holding it sits: keys and array indexes from the top */
  readonly path: readonly (string | number)[];
  /** of the second occurrence's opening quote, 1-based; columns count characters, not bytes */
  readonly line: number;
  readonly column: number;
  readonly firstLine: number;
}

/** one open object: the keys seen so far (by the index of their quote), the last one, and whether a key comes next */
interface OpenObject {
  readonly keys: Map<string, number>;
  lastKey: string;
  expectKey: boolean;
}
/** an open array is only the index of the element being read: no allocation per `[` */
type Open = OpenObject | number;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * TEXT must be JSON that JSON.parse accepted (a byte-order mark already removed: see
 * json-file-text.ts); on other text the answer means nothing, but it still returns and never
 * throws. One pass, with an explicit stack: a file of a million `[` costs memory, not the call
 * stack. Line numbers are worked out only for the answer.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Open[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push({ keys: new Map(), lastKey: '', expectKey: true });
    else if (c === 0x5b /* [ */) stack.push(0);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (typeof top === 'number') stack[stack.length - 1] = top + 1;
      else if (top !== undefined) top.expectKey = true;
    } else if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (typeof top === 'object' && top.expectKey) {
        top.expectKey = false;
        const key = decodedKey(text, i, end);
        const first = top.keys.get(key);
        if (first !== undefined) return located(text, key, pathOf(stack), first, i);
        top.keys.set(key, i);
        top.lastKey = key;
      }
      i = end;
    }
    i++;
  }
  return null;
}

/**
 * `FILE: line L, column C: key "a.b" appears twice (lines F and L)`: the part every loader says
 * the same way, before its own fix. The key is shown clipped and escaped: it came from a file.
 */
export function duplicateKeyText(file: string, d: DuplicateKey): string {
  const name = printable(JSON.stringify(clipped([...d.path, d.key].join('.'), 120)));
  return `${file}: line ${d.line}, column ${d.column}: key ${name} appears twice (lines ${d.firstLine} and ${d.line})`;
}

/** the index of the quote closing the string that opens at OPEN (the text's length if none does) */
function stringEnd(text: string, open: number): number {
  let q = open;
  for (;;) {
    q = text.indexOf('"', q + 1);
    if (q < 0) return text.length;
    // a quote after an odd run of backslashes is escaped; each run is looked at once, so linear
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
  }
}

/** the key as JSON.parse has it: only a key with an escape needs decoding */
function decodedKey(text: string, open: number, close: number): string {
  const raw = text.slice(open + 1, close);
  if (!raw.includes('\\')) return raw;
  try {
    const decoded: unknown = JSON.parse(text.slice(open, close + 1));
    return typeof decoded === 'string' ? decoded : raw;
  } catch {
    return raw; // only for text JSON.parse refused, whose answer means nothing
  }
}

/** the keys and indexes leading to the innermost open object */
function pathOf(stack: readonly Open[]): (string | number)[] {
  return stack.slice(0, -1).map((o) => (typeof o === 'number' ? o : o.lastKey));
}

function located(text: string, key: string, path: (string | number)[], first: number, second: number): DuplicateKey {
  const { line, column } = lineAndColumn(text, second);
  return { key, path, line, column, firstLine: lineAndColumn(text, first).line };
}
