import { err, ok, type Result } from '../../shared/result.js';

/**
 * A `where` pattern: an exact domU name, or a shell-style glob (`*`, `?`, `[abc]`, `[a-z]`,
 * `[!x]`). Compiled to an anchored regex from an allowlist of characters, so no regex syntax
 * from outside ever reaches RegExp.
 */
export type NamePattern = { readonly kind: 'exact'; readonly name: string } | { readonly kind: 'glob'; readonly re: RegExp };

const ALLOWED = /^[A-Za-z0-9._*?[\]!-]{1,128}$/;

export function compilePattern(pattern: string): Result<NamePattern, string> {
  if (!ALLOWED.test(pattern)) return err('a pattern is a domU name or a glob of letters, digits, . _ - and * ? [ ] ! (at most 128 characters)');
  if (!/[*?[]/.test(pattern)) return ok({ kind: 'exact', name: pattern });
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return err(`unclosed "[" in ${JSON.stringify(pattern)}`);
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
    return err(`${JSON.stringify(pattern)} is not a valid glob (check the [..] ranges)`);
  }
}

export const matches = (p: NamePattern, name: string): boolean => (p.kind === 'exact' ? p.name === name : p.re.test(name));
