import { err, ok, type Result } from '../../shared/result.js';

/**
 * Tokens of the part of Python that xm-era domU configs (`xm create` exec'd them as Python 2)
 * use for literal assignments: names, numbers, strings (any quote style, raw, triple-quoted),
 * operators, and logical newlines (newlines inside brackets and after a backslash are joined,
 * as in Python).
 */
export type XmTokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'eof';

export interface XmToken {
  readonly kind: XmTokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** a string literal with a u prefix: a Python 2 unicode object, not a str */
  readonly unicode?: boolean;
}

export interface XmLexError {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  readonly expected: string;
}

const PY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

/** Python 2 string escapes; an unknown escape keeps its backslash, as Python does. */
function unescape(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (all, e: string) => {
    if (e.startsWith('x') && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return PY_ESCAPES[e] ?? all;
  });
}

export function lexXmCfg(source: string): Result<XmToken[], XmLexError> {
  // xm exec'd the file with execfile, which reads source in universal newline mode (PEP 278):
  // \r\n and a lone \r end a line as \n does, also inside strings.
  const text = source.replace(/\r\n?/g, '\n');
  const tokens: XmToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const col = (at: number): number => at - lineStart + 1;
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };
  while (i < text.length) {
    const c = text[i] as string;
    const start = i;
    const startLine = line;
    const startCol = col(i);
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    } else if (c === '\\' && text[i + 1] === '\n') {
      i++;
      newline(i);
      i++;
      continue;
    } else if (c === '\n') {
      if (depth === 0) tokens.push({ kind: 'newline', text: '', line, column: startCol });
      newline(i);
      i++;
      continue;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^(?:[rRuUbB]{1,2})?(?='|")/.exec(text.slice(i, i + 3));
      if (m && m[0].length > 0) {
        i += m[0].length; // string prefix: handled below as a string
      } else {
        while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i++;
        tokens.push({ kind: 'name', text: text.slice(start, i), line, column: startCol });
        continue;
      }
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9A-Za-z_.]/.test(text[i] as string)) i++;
      tokens.push({ kind: 'number', text: text.slice(start, i), line, column: startCol });
      continue;
    } else if ('([{'.includes(c)) {
      depth++;
      tokens.push({ kind: 'op', text: c, line, column: startCol });
      i++;
      continue;
    } else if (')]}'.includes(c)) {
      depth = Math.max(0, depth - 1);
      tokens.push({ kind: 'op', text: c, line, column: startCol });
      i++;
      continue;
    } else if (c !== "'" && c !== '"') {
      const two = text.slice(i, i + 2);
      const op = ['+=', '-=', '*=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>'].includes(two) ? two : c;
      tokens.push({ kind: 'op', text: op, line, column: startCol });
      i += op.length;
      continue;
    }
    // strings (possibly after a prefix consumed above)
    const q = text[i];
    if (q !== "'" && q !== '"') {
      i++; // not reached: every branch above either continues or stops at a quote
      continue;
    }
    const raw = /[rR]/.test(text.slice(start, i));
    const unicode = /[uU]/.test(text.slice(start, i));
    const triple = text.slice(i, i + 3) === q.repeat(3);
    const delim = triple ? q.repeat(3) : q;
    let j = i + delim.length;
    let closed = false;
    while (j < text.length) {
      const d = text[j] as string;
      if (d === '\\') {
        if (text[j + 1] === '\n') newline(j + 1);
        j += 2;
        continue;
      }
      if (d === '\n') {
        if (!triple) break;
        newline(j);
      }
      if (text.startsWith(delim, j)) {
        closed = true;
        break;
      }
      j++;
    }
    if (!closed) {
      return err({ line: startLine, column: startCol, problem: `unterminated string ${JSON.stringify(text.slice(start, Math.min(j, start + 40)))}`, expected: `close it with ${delim}` });
    }
    const body = text.slice(i + delim.length, j);
    tokens.push({ kind: 'string', text: raw ? body : unescape(body), line: startLine, column: startCol, ...(unicode ? { unicode } : {}) });
    i = j + delim.length;
  }
  tokens.push({ kind: 'eof', text: '', line, column: col(i) });
  return ok(tokens);
}
