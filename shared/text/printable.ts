/**
 * Text from other machines (domain names from `xl list`, DRBD peer names, a peer's messages)
 * shown on an operator's terminal: every character that could steer the terminal or reorder
 * what is read — C0/C1 controls, DEL, bidirectional and zero-width format characters, line and
 * paragraph separators — is shown as an escape (\x1b, \u{202e}) instead. JSON.stringify escapes
 * C0 controls itself but not the rest: JSON text gets them as JSON escapes (jsonTextEscaped).
 */

/** What steers a terminal or reorders what is read beyond C0: DEL, C1, bidirectional and zero-width format characters, line and paragraph separators. */
const BEYOND_C0 = '\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb';
const UNSAFE = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, 'gu');
const UNSAFE_IN_JSON = new RegExp(`[${BEYOND_C0}]`, 'gu');

const escape = (c: string): string => {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
};

export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/**
 * Every string inside V (an answer about to be laid out as a table) made printable, once on the
 * whole value, so no field can be missed.
 */
export function printableDeep<T>(v: T): T {
  if (typeof v === 'string') return printable(v) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => printableDeep(x)) as T;
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printableDeep(x)])) as T;
  return v;
}

/**
 * JSON text as JSON.stringify writes it (a log line, a --json answer) with the characters it
 * leaves raw that printable() escapes (DEL, C1 such as U+009B, which a UTF-8 terminal may take for
 * CSI, and the bidirectional and zero-width ones) written as \uXXXX: the same JSON value, but one a
 * terminal, `journalctl` or `less` shows as sent. JSON.stringify escapes C0 controls itself, and a
 * line's closing newline is left alone.
 */
export const jsonTextEscaped = (json: string): string => json.replace(UNSAFE_IN_JSON, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);

/** VALUE as one line of a --json answer (INDENT: pretty, as some commands print it), escaped as jsonTextEscaped says. */
export const jsonLine = (value: unknown, indent?: number): string => `${jsonTextEscaped(JSON.stringify(value, null, indent))}\n`;

/** Several lines, each made printable (the newlines between them kept). */
export const printableLines = (text: string): string => text.split('\n').map(printable).join('\n');

/** TEXT cut to MAX characters, saying how much was left out: an argument of megabytes must not make a message of megabytes. */
export const clipped = (text: string, max = 200): string => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`);
