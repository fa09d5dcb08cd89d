import { err, ok, type Result } from './result.js';

/**
 * A `where` pattern: an exact domU name, or a shell-style glob (`*`, `?`, `[abc]`, `[a-z]`,
 * `[!x]`). Matched without RegExp: a glob from outside compiled to a backtracking regex can take
 * minutes on one short name (`*a*a*a*a*a*a*b`), with the controller's event loop blocked all
 * along. Here the pattern is split at its stars and each piece is found leftmost after the one
 * before, which is at most name length x pattern length steps.
 */
export type NamePattern =
  | { readonly kind: 'exact'; readonly name: string }
  | { readonly kind: 'glob'; readonly text: string; readonly pieces: readonly (readonly CharTest[])[] };

/** what one character of a glob, other than a star, accepts */
type CharTest =
  | { readonly kind: 'char'; readonly c: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'class'; readonly negate: boolean; readonly singles: string; readonly ranges: readonly (readonly [string, string])[] };

const MAX_CHARS = 128;
const ALLOWED_CHAR = /^[A-Za-z0-9._*?[\]!-]$/;
const WHOLE_PATTERN = new RegExp(`^[A-Za-z0-9._*?[\\]!-]{1,${MAX_CHARS}}$`);
const RULE = `a pattern is a domU name or a glob of letters, digits, . _ - and * ? [ ] ! (1 to ${MAX_CHARS} characters)`;

/** PATTERN JSON-quoted for a message, cut to about 100 characters: it may be 16 KB of anything. */
export const quotePattern = (pattern: string): string => {
  const chars = Array.from(pattern.slice(0, 101));
  return chars.length > 100 ? `${JSON.stringify(chars.slice(0, 100).join(''))}... (${pattern.length} characters)` : JSON.stringify(pattern);
};

/** Why PATTERN is not one (naming it and its first bad character), or null. */
function patternProblem(pattern: string): string | null {
  // the usual pattern, asked by every `where`: one test, not a string per character
  if (WHOLE_PATTERN.test(pattern)) return null;
  if (pattern === '') return `the pattern is empty: ${RULE}`;
  for (const [i, c] of Array.from(pattern.slice(0, MAX_CHARS + 1)).entries()) {
    if (!ALLOWED_CHAR.test(c)) return `${quotePattern(pattern)} is not a pattern: character ${i + 1}, ${JSON.stringify(c)}, is not allowed; ${RULE}`;
  }
  return pattern.length > MAX_CHARS ? `${quotePattern(pattern)} is not a pattern: it is longer than ${MAX_CHARS} characters; ${RULE}` : null;
}

export function compilePattern(pattern: string): Result<NamePattern, string> {
  const problem = patternProblem(pattern);
  if (problem !== null) return err(problem);
  if (!/[*?[]/.test(pattern)) return ok({ kind: 'exact', name: pattern });
  const pieces: CharTest[][] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const piece = pieces[pieces.length - 1] as CharTest[];
    if (c === '*') pieces.push([]);
    else if (c === '?') piece.push({ kind: 'any' });
    else if (c === '[') {
      const cls = readClass(pattern, i);
      if (typeof cls === 'string') return err(cls);
      piece.push(cls.test);
      i = cls.end;
    } else piece.push({ kind: 'char', c });
  }
  return ok({ kind: 'glob', text: pattern, pieces });
}

/** Why the first of PATTERNS that is no pattern is not one, or null: a command's arguments checked before anything is asked. */
export function firstPatternProblem(patterns: readonly string[]): string | null {
  for (const p of patterns) {
    const c = compilePattern(p);
    if (!c.ok) return c.error;
  }
  return null;
}

/** The class opening at OPEN: its test and the index of its "]", or why it is not one. */
function readClass(pattern: string, open: number): { test: CharTest; end: number } | string {
  let i = open + 1;
  const negate = pattern[i] === '!';
  if (negate) i++;
  // as in the shell, a "]" first in the class is one of its characters, not its end
  const end = pattern.indexOf(']', pattern[i] === ']' ? i + 1 : i);
  if (end < 0) return `unclosed "[" in ${quotePattern(pattern)}: close it with "]" (e.g. web[0-9]*)`;
  const body = pattern.slice(i, end);
  let singles = '';
  const ranges: [string, string][] = [];
  for (let k = 0; k < body.length; k++) {
    const lo = body[k] as string;
    const hi = body[k + 2];
    if (body[k + 1] === '-' && hi !== undefined) {
      if (lo > hi) return `${quotePattern(pattern)} is not a valid glob: the range ${lo}-${hi} runs backwards (write [${hi}-${lo}])`;
      ranges.push([lo, hi]);
      k += 2;
    } else singles += lo;
  }
  return { test: { kind: 'class', negate, singles, ranges }, end };
}

function accepts(t: CharTest, c: string): boolean {
  if (t.kind === 'any') return true;
  if (t.kind === 'char') return t.c === c;
  const inside = t.singles.includes(c) || t.ranges.some(([lo, hi]) => lo <= c && c <= hi);
  return inside !== t.negate;
}

/** whether PIECE matches NAME at AT, character for character */
function pieceAt(piece: readonly CharTest[], name: string, at: number): boolean {
  for (let j = 0; j < piece.length; j++) if (!accepts(piece[j] as CharTest, name[at + j] as string)) return false;
  return true;
}

function globMatches(pieces: readonly (readonly CharTest[])[], name: string): boolean {
  const first = pieces[0] as readonly CharTest[];
  if (pieces.length === 1) return first.length === name.length && pieceAt(first, name, 0);
  const last = pieces[pieces.length - 1] as readonly CharTest[];
  const end = name.length - last.length;
  if (first.length > end || !pieceAt(first, name, 0) || !pieceAt(last, name, end)) return false;
  // between the first and the last piece, each one found leftmost after the one before: taking
  // the leftmost place never loses a match, since the stars around a piece absorb any gap
  let from = first.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k] as readonly CharTest[];
    let at = from;
    while (at + piece.length <= end && !pieceAt(piece, name, at)) at++;
    if (at + piece.length > end) return false;
    from = at + piece.length;
  }
  return true;
}

export const matches = (p: NamePattern, name: string): boolean => (p.kind === 'exact' ? p.name === name : globMatches(p.pieces, name));
