import { err, ok, type Result } from '../../shared/result.js';
import type { CfgStatement, CfgValue } from './xl-cfg-value.js';
import { lexXmCfg, type XmToken } from './xm-cfg-lexer.js';

/**
 * Reads an xm-era domU config (Python 2, exec'd by `xm create`) as long as it is made of literal
 * assignments: `name = "web"`, `memory = 512`, `disk = ['drbd:r0,xvda,w']`, True/False/None,
 * tuples, adjacent string literals, `+=` of a list or string. Anything computed (imports,
 * variables, `+`, `%`, calls, arithmetic) is refused with `pythonCode: true`: xenherd never runs
 * the file, so it cannot know the value. As xend does (xm/opts.py load), a name whose final value
 * is not a str, list, int or float (None, a tuple, True/False, a long, a u'' string) is no setting.
 */
export interface XmSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  readonly expected: string;
  /** the file is Python beyond literal assignments (as opposed to simply malformed) */
  readonly pythonCode: boolean;
}

export const XM_PYTHON_PROBLEM = 'xm config uses Python code here';
const XM_PYTHON_EXPECTED = 'xenherd reads only literal assignments (name = "web", memory = 512, disk = [\'drbd:r0,xvda,w\']): replace the expression by its value';

const PY_STATEMENT_KEYWORDS = new Set([
  'import', 'from', 'def', 'class', 'if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with',
  'return', 'print', 'lambda', 'global', 'exec', 'assert', 'del', 'pass', 'raise', 'yield', 'not',
]);

/** The Python 2 type of a literal: xend keeps a setting only when its value's type is one of XEND_TAKES. */
type PyType = 'str' | 'unicode' | 'int' | 'long' | 'float' | 'bool' | 'none' | 'list' | 'tuple';
const XEND_TAKES: ReadonlySet<PyType> = new Set<PyType>(['str', 'list', 'int', 'float']);
interface Literal {
  readonly value: CfgValue | undefined;
  readonly py: PyType;
}

/** Python 2 integer literals (decimal, 0x, 0o, legacy 0-octal, L suffix) as decimal text; null if not one. */
function pyInteger(text: string): string | null {
  const t = text.replace(/[lL]$/, '');
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(t))) return BigInt(`0x${m[1] ?? ''}`).toString();
  if ((m = /^0[oO]?([0-7]+)$/.exec(t))) return BigInt(`0o${m[1] ?? ''}`).toString();
  if (/^(0|[1-9][0-9]*)$/.test(t)) return BigInt(t).toString();
  return null;
}

/**
 * Whether the text before COLUMN on a logical line's first physical line is an indent: Python
 * refuses one at the top level of a file; a form feed there is no indent (its tokenizer resets
 * the column).
 */
const unexpectedIndent = (line: string, column: number): boolean => /[ \t]/.test(line.slice(0, column - 1).replace(/^.*\f/, ''));

export function parseXmCfg(text: string): Result<CfgStatement[], XmSyntaxError> {
  const lexed = lexXmCfg(text);
  if (!lexed.ok) return err({ ...lexed.error, pythonCode: false });
  const tokens = lexed.value;
  const lines = text.split(/\r\n?|\n/);
  let pos = 0;
  const peek = (): XmToken => tokens[pos] ?? (tokens[tokens.length - 1] as XmToken);
  const next = (): XmToken => {
    const t = peek();
    if (pos < tokens.length - 1) pos++;
    return t;
  };
  const python = (t: XmToken): { ok: false; error: XmSyntaxError } =>
    err({ line: t.line, column: t.column, problem: `${XM_PYTHON_PROBLEM} (${JSON.stringify((lines[t.line - 1] ?? '').trim().slice(0, 60))})`, expected: XM_PYTHON_EXPECTED, pythonCode: true });
  const syntax = (t: XmToken, expected: string): { ok: false; error: XmSyntaxError } =>
    err({ line: t.line, column: t.column, problem: `unexpected ${t.kind === 'eof' ? 'end of file' : t.kind === 'newline' ? 'end of line' : JSON.stringify(t.text)}`, expected, pythonCode: false });

  const MAX_DEPTH = 32;
  /** a literal value and its Python type; the value is undefined for None */
  const parseLiteral = (depth: number): Result<Literal, XmSyntaxError> => {
    const t = next();
    if (t.kind === 'string') {
      let s = t.text;
      let unicode = t.unicode === true;
      // "a" "b" is one literal in Python, a unicode object when any part is
      while (peek().kind === 'string') {
        const part = next();
        s += part.text;
        unicode ||= part.unicode === true;
      }
      return ok({ value: { kind: 'atom', text: s, quoted: true, line: t.line, column: t.column }, py: unicode ? 'unicode' : 'str' });
    }
    if (t.kind === 'number' || (t.kind === 'op' && t.text === '-' && peek().kind === 'number')) {
      const n = t.kind === 'number' ? t : next();
      const int = pyInteger(n.text);
      if (int === null && !/^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/.test(n.text)) return syntax(n, 'a number');
      const value = int ?? n.text;
      const py = int === null ? 'float' : /[lL]$/.test(n.text) ? 'long' : 'int';
      return ok({ value: { kind: 'atom', text: t.kind === 'op' ? `-${value}` : value, quoted: false, line: t.line, column: t.column }, py });
    }
    if (t.kind === 'name') {
      if (t.text === 'True' || t.text === 'False') return ok({ value: { kind: 'atom', text: t.text === 'True' ? '1' : '0', quoted: false, line: t.line, column: t.column }, py: 'bool' });
      if (t.text === 'None') return ok({ value: undefined, py: 'none' });
      return python(t); // a variable or function: computed, not literal
    }
    if (t.kind === 'op' && (t.text === '[' || t.text === '(')) {
      if (depth >= MAX_DEPTH) return syntax(t, `lists nested at most ${MAX_DEPTH} deep`);
      const close = t.text === '[' ? ']' : ')';
      const items: Literal[] = [];
      let sawComma = false;
      while (!(peek().kind === 'op' && peek().text === close)) {
        const item = parseLiteral(depth + 1);
        if (!item.ok) return item;
        items.push(item.value);
        const sep = peek();
        if (sep.kind === 'op' && sep.text === ',') {
          next();
          sawComma = true;
          continue;
        }
        if (sep.kind === 'op' && sep.text === close) break;
        if (sep.kind === 'op' && sep.text !== '{' && sep.text !== '}') return python(sep);
        return syntax(sep, `expected , or ${close} in the list opened on line ${t.line}`);
      }
      next();
      // `(x)` is just x in Python; `(x,)` and `()` are tuples
      if (close === ')' && !sawComma && items.length === 1) return ok(items[0] as Literal);
      const values = items.flatMap((i) => (i.value === undefined ? [] : [i.value]));
      return ok({ value: { kind: 'list', items: values, line: t.line, column: t.column }, py: close === ']' ? 'list' : 'tuple' });
    }
    if (t.kind === 'op' && t.text === '{') return python(t);
    return syntax(t, 'a value: a quoted string, a number, True/False/None or a [list]');
  };

  const statements: CfgStatement[] = [];
  /** the Python type each name holds so far, to judge what `+=` makes of it */
  const held = new Map<string, PyType>();
  /** per name, how many statements came before its last assignment of a value xend passes by */
  const unsetAt = new Map<string, number>();
  /** the next token starts a logical line, where Python takes no indent */
  let lineStart = true;
  for (;;) {
    const t = next();
    if (t.kind === 'eof') break;
    if (t.kind === 'newline') {
      lineStart = true;
      continue;
    }
    if (lineStart && unexpectedIndent(lines[t.line - 1] ?? '', t.column)) {
      return err({ line: t.line, column: 1, problem: 'the line is indented', expected: 'start the setting at the beginning of the line: xm create refuses the file (Python: IndentationError: unexpected indent)', pythonCode: false });
    }
    lineStart = false;
    if (t.kind === 'op' && t.text === ';') continue;
    if (t.kind === 'name' && PY_STATEMENT_KEYWORDS.has(t.text)) return python(t);
    if (t.kind !== 'name') return syntax(t, 'a setting name at the start of a statement');
    const op = next();
    if (op.kind !== 'op' || (op.text !== '=' && op.text !== '+=')) return op.kind === 'op' ? python(op) : syntax(op, `= after ${JSON.stringify(t.text)}`);
    const literal = parseLiteral(0);
    if (!literal.ok) return literal;
    const end = next();
    if (end.kind === 'op' && end.text !== ';') return python(end); // e.g. "…" + release, "VM%d" % vmid
    if (end.kind === 'name' || end.kind === 'number' || end.kind === 'string') return syntax(end, 'the end of the statement (a newline or ;)');
    const { value, py } = literal.value;
    if (op.text === '+=') {
      const before = held.get(t.text);
      if (before === undefined) return err({ line: t.line, column: t.column, problem: `\`${t.text} +=\` before any \`${t.text} =\``, expected: `xm stops here (Python: name '${t.text}' is not defined): assign ${t.text} first`, pythonCode: false });
      // list += list or tuple, and str += str, are what the settings model can add; anything else is arithmetic
      if (!((before === 'list' && (py === 'list' || py === 'tuple')) || (before === 'str' && py === 'str'))) return python(op);
    } else {
      held.set(t.text, py);
      // xend's opts.load passes on only str, list, int and float values: the name ends up unset
      if (!XEND_TAKES.has(py)) unsetAt.set(t.text, statements.length);
    }
    if (value !== undefined && XEND_TAKES.has(held.get(t.text) ?? 'none')) statements.push({ key: t.text, op: op.text, value, line: t.line });
    if (end.kind === 'eof') break;
    lineStart = end.kind === 'newline';
  }
  return ok(statements.filter((st, i) => i >= (unsetAt.get(st.key) ?? 0)));
}
