import type * as z from 'zod';
import { duplicateKeyText, findDuplicateKey } from './json-duplicate-keys.js';
import { withoutByteOrderMark } from './json-file-text.js';
import { jsonSyntaxError } from './text/json-syntax-error.js';
import { nearestWord } from './text/nearest-word.js';
import { knownKeysAt } from './zod-known-keys.js';

/**
 * One zod issue as "SOURCE: key a.b: what is wrong" (unknown keys: remove or fix the spelling, see
 * HELP). Given the file's SCHEMA, an unknown key one letter or two (or only case) away from a key
 * the file may have there names that key: "parralel" was meant as "parallel".
 */
export function describeIssue(source: string, issue: z.core.$ZodIssue, help: string, schema?: z.core.$ZodType): string {
  const key = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = key === '' ? '' : `${key}.`;
    const known = schema === undefined ? [] : knownKeysAt(schema, issue.path);
    const meant = (k: string): string => {
      const m = nearestWord(k, known);
      return m === null ? '' : ` (did you mean ${JSON.stringify(`${where}${m}`)}?)`;
    };
    // quoted as JSON: the file's own key may hold spaces, quotes, commas or control characters,
    // and the operator must see exactly where it starts and ends (and nothing that steers the terminal)
    return `${source}: unknown key ${listed(issue.keys.map((k) => `${JSON.stringify(`${where}${k}`)}${meant(k)}`))}: remove it or fix its spelling (see ${help})`;
  }
  return `${source}: key ${JSON.stringify(key || '(top level)')}: ${issue.message}`;
}

/** at most this many keys or issues are named in one message: a file with 200,000 stray keys made a 2 MB line */
const MAX_NAMED = 5;

const listed = (items: readonly string[]): string => (items.length > MAX_NAMED ? `${items.slice(0, MAX_NAMED).join(', ')} (and ${items.length - MAX_NAMED} more)` : items.join(', '));

/** Every issue of one validation, as one message of bounded length (SCHEMA: as describeIssue). */
export function describeIssues(source: string, issues: readonly z.core.$ZodIssue[], help: string, schema?: z.core.$ZodType): string {
  const named = issues.slice(0, MAX_NAMED).map((i) => describeIssue(source, i, help, schema)).join('; ');
  return issues.length > MAX_NAMED ? `${named} (and ${issues.length - MAX_NAMED} more)` : named;
}

/**
 * JSON text → object, or a sentence naming the source and an example of the fix. A key given
 * twice is refused: JSON.parse would quietly take the last one, which may be an older value
 * lower down than the one the operator just wrote.
 */
export function parseJsonObject(text: string, source: string, example: string): { ok: true; value: unknown } | { ok: false; message: string } {
  let raw: unknown;
  const json = withoutByteOrderMark(text);
  try {
    raw = JSON.parse(json);
  } catch (e) {
    // JSON.parse says "at position 169", or quotes the text around an unexpected token (which may
    // be the file's token); a person's editor shows lines and columns, as the duplicate-key message gives
    const at = jsonSyntaxError(json);
    if (at === null) return { ok: false, message: `${source}: not valid JSON (${e instanceof Error ? e.message : String(e)}): fix the syntax, e.g. ${example}` };
    return { ok: false, message: `${source}: line ${at.line}, column ${at.column}: not valid JSON (${at.why}): fix the syntax, e.g. ${example}` };
  }
  const twice = findDuplicateKey(json);
  if (twice !== null) return { ok: false, message: `${duplicateKeyText(source, twice)}: keep one` };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: `${source}: must be a JSON object, e.g. ${example}` };
  return { ok: true, value: raw };
}
