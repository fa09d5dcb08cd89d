import { err, ok, type Result } from '../../shared/result.js';

/**
 * Tokens of the xl.cfg language, after Xen's tools/libs/util/libxlu_cfg_l.l:
 *   IDENT  [a-z][._0-9a-z]*      (lower case only)
 *   NUMBER [0-9][0-9a-fx]*       (kept as text; libxl converts with strtol(…, 0) later)
 *   STRING '…' or "…" on one line; escapes \" \' \\ \a \b \f \n \r \t \v
 *   ,  [  ]  +=  =  ;  NEWLINE   (`#` starts a comment that runs to the end of the line)
 */
export type XlTokenKind = 'ident' | 'number' | 'string' | ',' | '[' | ']' | '+=' | '=' | ';' | 'newline' | 'eof';

export interface XlToken {
  readonly kind: XlTokenKind;
  /** identifier or number text, or the string after escape processing */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

export interface XlLexError {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  readonly expected: string;
  /** true for the characters libxlu takes as a sign of Python (`+ - . ( ) :`) */
  readonly likelyPython: boolean;
}

/**
 * libxlu's lexer has no rule for a carriage return outside a string or comment: xl stops there
 * with "lexical error" and does not start the domU.
 */
export const XL_CR_PROBLEM = 'carriage return in the file (DOS/CRLF line endings)';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

const isIdentStart = (c: string): boolean => c >= 'a' && c <= 'z';
const isIdentRest = (c: string): boolean => isIdentStart(c) || (c >= '0' && c <= '9') || c === '.' || c === '_';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNumberRest = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'f') || c === 'x';

export function lexXlCfg(text: string): Result<XlToken[], XlLexError> {
  const tokens: XlToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => at - lineStart + 1;
  const fail = (at: number, problem: string, expected: string, likelyPython = false): Result<XlToken[], XlLexError> =>
    err({ line, column: col(at), problem, expected, likelyPython });

  while (i < text.length) {
    const c = text[i] as string;
    const start = i;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '\n' || c === '#') {
      // A comment ends at the newline, which is still a statement separator. libxlu needs that
      // newline even at the end of the file; we also accept a last comment line without one.
      while (i < text.length && text[i] !== '\n') i++;
      tokens.push({ kind: 'newline', text: '', line, column: col(start) });
      if (i < text.length) {
        i++;
        line++;
        lineStart = i;
      }
    } else if (c === '\r') {
      return fail(i, XL_CR_PROBLEM, 'xl accepts only LF line endings: convert the file, e.g. with dos2unix');
    } else if (isIdentStart(c)) {
      while (i < text.length && isIdentRest(text[i] as string)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), line, column: col(start) });
    } else if (isDigit(c)) {
      while (i < text.length && isNumberRest(text[i] as string)) i++;
      tokens.push({ kind: 'number', text: text.slice(start, i), line, column: col(start) });
    } else if (c === "'" || c === '"') {
      let out = '';
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined || d === '\n') {
          return fail(start, `unterminated string ${JSON.stringify(text.slice(start, Math.min(i, start + 40)))}`, `close it with ${c} on the same line (xl strings cannot span lines)`);
        }
        if (d === c) break;
        if (d === '\\') {
          const e = text[i + 1];
          if (e === undefined || e === '\n') {
            return fail(i, 'backslash at the end of a line inside a string', `close the string with ${c} on the same line`);
          }
          const simple = SIMPLE_ESCAPES[e];
          if (simple !== undefined) {
            out += simple;
          } else if (e === 'x' || (e >= '0' && e <= '7')) {
            // libxlu's numeric escapes are broken (the \x code skips a digit and neither stores the
            // character), so a config relying on them does not mean what it says.
            return fail(i, `numeric escape \\${e}… in a string`, 'write the character itself; xl does not handle \\x and octal escapes correctly');
          } else {
            return fail(i, `invalid escape \\${e} in a string`, 'use one of \\" \\\' \\\\ \\a \\b \\f \\n \\r \\t \\v');
          }
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: out, line, column: col(start) });
    } else if (c === '+' && text[i + 1] === '=') {
      tokens.push({ kind: '+=', text: '+=', line, column: col(start) });
      i += 2;
    } else if (c === ',' || c === '[' || c === ']' || c === '=' || c === ';') {
      tokens.push({ kind: c, text: c, line, column: col(start) });
      i++;
    } else {
      let end = i;
      while (end < text.length && !/[ \t\n]/.test(text[end] as string)) end++;
      const likelyPython = '+-.():'.includes(c);
      return fail(i, `unexpected ${JSON.stringify(text.slice(i, Math.min(end, i + 40)))}`, likelyPython
        ? 'xl.cfg values are strings, numbers or [lists] (it looks like Python code; see https://wiki.xen.org/wiki/PythonInXlConfig)'
        : 'a lower-case key, =, +=, a quoted string, a number, [ ] , ; or a # comment', likelyPython);
    }
  }
  tokens.push({ kind: 'eof', text: '', line, column: col(i) });
  return ok(tokens);
}
