import { quotePattern } from '../../shared/name-pattern.js';
import { DOMU_NAME_RE } from '../../shared/names.js';

const RULE = 'a domU name is 1 to 64 letters, digits, . _ and -, starting with a letter or digit';

/**
 * Why VALUE, given to COMMAND (migrate, reverse, ssh), is not a domU name: it, its first bad
 * character and the rule; with a hint when it looks like a pattern. Null when it is one.
 */
export function domuNameProblem(value: string, command: string): string | null {
  if (DOMU_NAME_RE.test(value)) return null;
  const quoted = quotePattern(value);
  if (value === '') return `the domU name is empty: ${RULE}`;
  const chars = Array.from(value.slice(0, 66));
  const bad = chars.findIndex((c, i) => !(i === 0 ? /^[A-Za-z0-9]$/ : /^[A-Za-z0-9._-]$/).test(c));
  const c = chars[bad] ?? '';
  const why = bad < 0 ? 'it is longer than 64 characters' : bad === 0 && /^[._-]$/.test(c) ? `it starts with ${JSON.stringify(c)}` : `character ${bad + 1}, ${JSON.stringify(c)}, is not allowed`;
  const glob = /[*?[]/.test(value) ? ` (${command} takes one exact name, not a pattern: xenherdctl where PATTERN lists the names a pattern matches)` : '';
  return `${quoted} is not a domU name: ${why}; ${RULE}${glob}`;
}
