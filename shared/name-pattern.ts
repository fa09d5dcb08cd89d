import { err, ok, type Result } from './result.js';

/**
 * A `where` pattern: an exact domU name, or a shell-style glob (`*`, `?`, `[abc]`, `[a-z]`,
 * `[!x]`). Compiled to an anchored regex from an allowlist of characters, so no regex syntax
 * from outside ever reaches RegExp.
 */
export type NamePattern = { readonly kind: 'exact'; readonly name: string } | { readonly kind: 'glob'; readonly re: RegExp };

const MAX_CHARS = 128;
const ALLOWED_CHAR = /^[A-Za-z0-9._*?[\]!-]$/;
const RULE = `a pattern is a domU name or a glob of letters, digits, . _ - and * ? [ ] ! (1 to ${MAX_CHARS} characters)`;

/** PATTERN JSON-quoted for a message, cut to about 100 characters: it may be 16 KB of anything. */
export const quotePattern = (pattern: string): string => {
  const chars = Array.from(pattern.slice(0, 101));
  return chars.length > 100 ? `${JSON.stringify(chars.slice(0, 100).join(''))}... (${pattern.length} characters)` : JSON.stringify(pattern);
};

/** Why PATTERN is not one (naming it and its first bad character), or null. */
function patternProblem(pattern: string): string | null {
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
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return err(`unclosed "[" in ${quotePattern(pattern)}: close it with "]" (e.g. web[0-9]*)`);
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      // inside a class only "-" (range) is special; "]" cannot occur, "\\" is not allowed at all
      re += `[${negate ? '^' : ''}${body.replace(/[\^\]]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else if (c === ']' || c === '!') re += `\\${c}`;
    else re += c.replace(/[.]/g, '\\.');
  }
  try {
    return ok({ kind: 'glob', re: new RegExp(`${re}$`) });
  } catch {
    return err(`${quotePattern(pattern)} is not a valid glob (check the [..] ranges, e.g. [a-z] not [z-a])`);
  }
}

export const matches = (p: NamePattern, name: string): boolean => (p.kind === 'exact' ? p.name === name : p.re.test(name));
