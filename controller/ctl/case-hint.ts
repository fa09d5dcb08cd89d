import { compilePattern, matches } from '../../shared/name-pattern.js';
import { WhereAnswerSchema } from '../../shared/protocol/ctl-where.js';
import { caseHintText } from '../../shared/domu-case-hint.js';
import type { CtlClient } from './client.js';

/** The controller refuses longer patterns (name-pattern.ts), so a wider glob must fit in this too. */
const MAX_PATTERN = 128;

const bothCases = (c: string): string => (c.toLowerCase() === c.toUpperCase() ? c : `${c.toLowerCase()}${c.toUpperCase()}`);

/**
 * PATTERN (a name or a glob) widened to match its names in any case: letters outside a class
 * become LETTER (`[wW]`, or `?` when that would not fit in a pattern), the letters of a class are
 * given in both cases. Wider than case-insensitive when `?` stands in: the answer is filtered.
 */
export function anyCaseGlob(pattern: string): string | null {
  for (const loose of [false, true]) {
    let out = '';
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (inClass) {
        // a "]" first in a class is one of its characters (as name-pattern.ts reads it)
        const first = pattern[i - 1] === '[' || (pattern[i - 1] === '!' && pattern[i - 2] === '[');
        if (c === ']' && !first) inClass = false;
        else if (/[A-Za-z]/.test(c) && pattern[i + 1] === '-' && /[A-Za-z]/.test(pattern[i + 2] ?? '')) {
          const hi = pattern[i + 2] as string;
          out += `${c.toLowerCase()}-${hi.toLowerCase()}${c.toUpperCase()}-${hi.toUpperCase()}`;
          i += 2;
          continue;
        } else if (/[A-Za-z]/.test(c)) {
          out += bothCases(c);
          continue;
        }
        out += c;
      } else if (c === '[') {
        inClass = true;
        out += c;
      } else out += /[A-Za-z]/.test(c) ? (loose ? '?' : `[${bothCases(c)}]`) : c;
    }
    if (out.length <= MAX_PATTERN) return out;
  }
  return null;
}

/**
 * " (domU names are case-sensitive: did you mean web1?)" when PATTERN names domUs in another case
 * than theirs; '' otherwise (none, or only names spelled as given), and whenever asking fails: it is only a hint. One more
 * request, and only after nothing matched, so a found name costs what it did.
 */
export async function caseHint(client: CtlClient, pattern: string): Promise<string> {
  const wide = anyCaseGlob(pattern);
  const lower = compilePattern(pattern.toLowerCase());
  const asGiven = compilePattern(pattern);
  if (wide === null || wide === pattern || !lower.ok || !asGiven.ok) return '';
  const r = await client.get(`/where?pattern=${encodeURIComponent(wide)}`, WhereAnswerSchema);
  if (!r.ok) return '';
  const names = r.value.matches.map((m) => m.name).filter((n) => matches(lower.value, n.toLowerCase()));
  // a domU PATTERN names as spelled: the spelling is not what went wrong (a migrate to an unknown
  // host, a domU that is shut down), and a hint would blame it
  if (names.length === 0 || names.some((n) => matches(asGiven.value, n))) return '';
  return caseHintText(names);
}
