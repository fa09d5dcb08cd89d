import { err, ok, type Result } from '../../shared/result.js';
import { lexXlCfg, type XlToken } from './xl-cfg-lexer.js';
import type { CfgStatement, CfgValue } from './xl-cfg-value.js';

/**
 * Reads xl.cfg syntax into statements, after Xen's tools/libs/util/libxlu_cfg_y.y:
 *
 *   file       := stmts [assignment]          (the last statement needs no terminator)
 *   stmt       := assignment (NEWLINE | ';') | NEWLINE | ';'
 *   assignment := IDENT ('=' | '+=') value
 *   value      := STRING | NUMBER | '[' nl* [values [',' nl*]] ']'
 *   values     := value nl* (',' nl* value nl*)*
 *
 * Newlines are allowed inside lists, lists nest, a trailing comma is allowed. The first error is
 * returned (libxlu recovers to report more, but one precise message is what an operator needs).
 */
export interface XlSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  readonly expected: string;
  readonly likelyPython: boolean;
}

const describe = (t: XlToken): string => (t.kind === 'eof' ? 'end of file' : t.kind === 'newline' ? 'end of line' : t.kind === 'string' ? `string ${JSON.stringify(t.text)}` : JSON.stringify(t.text));

export function parseXlCfg(text: string): Result<CfgStatement[], XlSyntaxError> {
  const lexed = lexXlCfg(text);
  if (!lexed.ok) return lexed;
  const tokens = lexed.value;
  let pos = 0;
  const peek = (): XlToken => tokens[pos] ?? (tokens[tokens.length - 1] as XlToken);
  const next = (): XlToken => {
    const t = peek();
    if (pos < tokens.length - 1) pos++;
    return t;
  };
  const skipNewlines = (): void => {
    while (peek().kind === 'newline') next();
  };
  const fail = (t: XlToken, expected: string): { ok: false; error: XlSyntaxError } =>
    err({ line: t.line, column: t.column, problem: `unexpected ${describe(t)}`, expected, likelyPython: false });

  // Depth-limited recursion: nesting deeper than any real config is refused instead of overflowing.
  const MAX_DEPTH = 32;
  const parseValue = (depth: number): Result<CfgValue, XlSyntaxError> => {
    const t = next();
    if (t.kind === 'string' || t.kind === 'number') {
      return ok({ kind: 'atom', text: t.text, quoted: t.kind === 'string', line: t.line, column: t.column });
    }
    if (t.kind !== '[') return fail(t, 'expected a value: a quoted string, a number or a [list]');
    if (depth >= MAX_DEPTH) return fail(t, `lists nested at most ${MAX_DEPTH} deep`);
    const items: CfgValue[] = [];
    skipNewlines();
    if (peek().kind === ']') {
      next();
      return ok({ kind: 'list', items, line: t.line, column: t.column });
    }
    for (;;) {
      const item = parseValue(depth + 1);
      if (!item.ok) return item;
      items.push(item.value);
      skipNewlines();
      const sep = next();
      if (sep.kind === ']') break;
      if (sep.kind !== ',') return fail(sep, `expected , or ] in the list opened on line ${t.line}`);
      skipNewlines();
      if (peek().kind === ']') {
        next();
        break;
      }
    }
    return ok({ kind: 'list', items, line: t.line, column: t.column });
  };

  const statements: CfgStatement[] = [];
  for (;;) {
    const t = next();
    if (t.kind === 'eof') break;
    if (t.kind === 'newline' || t.kind === ';') continue;
    if (t.kind !== 'ident') return fail(t, 'expected a setting name (lower-case letters, digits, . and _) at the start of a statement');
    const op = next();
    if (op.kind !== '=' && op.kind !== '+=') return fail(op, `expected = or += after ${JSON.stringify(t.text)}`);
    const value = parseValue(0);
    if (!value.ok) return value;
    const end = next();
    if (end.kind !== 'newline' && end.kind !== ';' && end.kind !== 'eof') {
      return fail(end, `expected the end of the statement (a newline or ;) after the value of ${JSON.stringify(t.text)}`);
    }
    statements.push({ key: t.text, op: op.kind, value: value.value, line: t.line });
    if (end.kind === 'eof') break;
  }
  return ok(statements);
}
