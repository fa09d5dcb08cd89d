import { lineAndColumn } from './line-column.js';

/**
 * Where JSON.parse stopped in TEXT (a byte-order mark already removed), as 1-based line and
 * column, with its reason; null when TEXT parses. V8 gives a position for most errors but not
 * for "Unexpected token 'x'" (a word left unquoted, a comment, a single quote), and that message
 * quotes the text around it, which in a config file may be a secret (a token): the position is then found as
 * the shortest start of TEXT that JSON.parse already refuses (a start that only ends too early
 * is not refused), and the quote is dropped.
 */
export function jsonSyntaxError(text: string): { line: number; column: number; why: string } | null {
  const stop = parseStop(text);
  if (stop === null) return null;
  let at = stop.at;
  if (at === null) {
    let lo = 0; // this start of text is not refused ...
    let hi = text.length; // ... this one is
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      const s = parseStop(text.slice(0, mid));
      if (s !== null && (s.at === null || s.at < mid) && !s.endsEarly) hi = mid;
      else lo = mid;
    }
    at = hi - 1;
  }
  return { ...lineAndColumn(text, at), why: stop.why };
}

/** JSON.parse's complaint about TEXT: at (null: V8 did not say where), why, and whether it only ran out of text */
function parseStop(text: string): { at: number | null; why: string; endsEarly: boolean } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message === 'Unexpected end of JSON input') return { at: text.length, why: message, endsEarly: true };
    const positioned = /(?: in JSON)? at position (\d+)/.exec(message);
    if (positioned) return { at: Number(positioned[1]), why: message.slice(0, positioned.index), endsEarly: false };
    const token = /^(Unexpected token '[\s\S]+?'), [\s\S]*is not valid JSON$/.exec(message);
    return { at: null, why: token ? (token[1] as string) : message, endsEarly: false };
  }
}
