import { err, ok, type Result } from '../../shared/result.js';

/**
 * Tokens of a DRBD config file (`/etc/drbd.d/*.res`, drbd.conf): words, "quoted strings", the
 * block braces and the statement end `;`. `#` starts a comment that runs to the end of the line.
 * Whitespace (newlines included) only separates tokens: a `{` may sit on the line after its `on`.
 */
export type DrbdTokenKind = 'word' | 'string' | '{' | '}' | ';';

export interface DrbdToken {
  readonly kind: DrbdTokenKind;
  /** the word, or the string without its quotes and after escape processing */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

export interface DrbdLexError {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  readonly expected: string;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
/** what ends a word: a word is anything else, e.g. `10.0.0.1:7789` or `/dev/drbd0` */
const endsWord = (c: string): boolean => isSpace(c) || c === '{' || c === '}' || c === ';' || c === '"' || c === '#';

export function lexDrbdConf(text: string): Result<DrbdToken[], DrbdLexError> {
  const tokens: DrbdToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => at - lineStart + 1;

  while (i < text.length) {
    const c = text[i] as string;
    const start = i;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
    } else if (isSpace(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ kind: c, text: c, line, column: col(start) });
      i++;
    } else if (c === '"') {
      let out = '';
      i++;
      for (;;) {
        const d = text[i];
        // a string that runs into a newline is taken as unterminated, as drbdadm takes it
        if (d === undefined || d === '\n') {
          return err({ line, column: col(start), problem: `unterminated string ${JSON.stringify(text.slice(start, Math.min(i, start + 40)))}`, expected: 'close it with " on the same line' });
        }
        if (d === '"') break;
        // a backslash makes the next character literal, e.g. \" inside a string
        if (d === '\\' && text[i + 1] !== undefined && text[i + 1] !== '\n') {
          out += text[i + 1];
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: out, line, column: col(start) });
    } else {
      while (i < text.length && !endsWord(text[i] as string)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), line, column: col(start) });
    }
  }
  return ok(tokens);
}
