import type * as z from 'zod';
import { findDuplicateKey } from '../json-duplicate-keys.js';
import { clipped, printable } from '../text/printable.js';
import { err, ok, type Result } from '../result.js';

/** Why a line is not the message it should be. */
export type JsonLineProblem = { readonly kind: 'not-json' } | { readonly kind: 'schema'; readonly issues: string };

/**
 * One line of a line-delimited JSON protocol, checked with its zod schema: both ends of every
 * socket parse the same way (JSON.parse, then the schema, nothing trusted before that). A key
 * given twice is refused: JSON.parse keeps the last, so `{"op":"status","op":"stop"}` would
 * pass a check that read the first.
 */
export function parseJsonLine<T>(line: string, schema: z.ZodType<T>): Result<T, JsonLineProblem> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return err({ kind: 'not-json' });
  }
  const twice = findDuplicateKey(line);
  if (twice !== null) return err({ kind: 'schema', issues: `${printable(JSON.stringify(clipped([...twice.path, twice.key].join('.'), 120)))}: given twice` });
  const r = schema.safeParse(raw);
  if (r.success) return ok(r.data);
  return err({ kind: 'schema', issues: r.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') });
}
