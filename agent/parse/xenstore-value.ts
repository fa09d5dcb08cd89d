/**
 * xenstore-read prints values "sanitised" and xenstore-write "unsanitises" its value argument
 * (tools/xs-clients/xenstore_client.c sanitise_value / unsanitise_value): printable ASCII except
 * `\` passes through; `\t \n \r \\` are escaped; other bytes are `\ooo` (below 010) or `\xhh`.
 * These pure functions undo and apply that, so values round-trip on every Xen version (the raw
 * `-R` flag only exists since Xen 4.12). Values are byte strings, one char a byte.
 */

/**
 * Decode one value as xenstore-write decodes its argument (and so also what xenstore-read printed,
 * without its trailing newline). The tool reads `\x` with sscanf("%2x") and `\` then an octal
 * digit with sscanf("%3o") and stores the low byte of what it read, so this follows glibc's
 * scanf, not a tidier grammar: after `\x` blanks are skipped, a sign and a `0x` take from the two
 * characters, one hex digit is enough, and with none it is a literal `x`; `\777` is the byte 0xff;
 * an unknown escape drops its backslash; a backslash at the very end is stored as a NUL byte.
 */
export function unsanitiseXenstoreValue(printed: string): string {
  let out = '';
  let i = 0;
  while (i < printed.length) {
    const c = printed.charAt(i++);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = printed.charAt(i++);
    if (e === 'x') {
      const hex = scanHex(printed, i);
      if (hex === null) out += 'x';
      else {
        out += byte(hex.value);
        i = hex.end;
      }
    } else if (/^[0-7]$/.test(e)) {
      const digits = /^[0-7]{1,3}/.exec(printed.slice(i - 1))?.[0] ?? e;
      out += byte(parseInt(digits, 8));
      i += digits.length - 1;
    } else if (e === '') {
      // the C loop stores the NUL it stopped at
      out += '\0';
    } else out += ESCAPES[e] ?? e;
  }
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', '\\': '\\' };

/** the char of the low byte of N, as the C tool stores an unsigned in a char */
const byte = (n: number): string => String.fromCharCode(((n % 256) + 256) % 256);

/** glibc's sscanf("%2x") from AT: the number and where it stopped, null when it matches nothing. */
function scanHex(s: string, at: number): { value: number; end: number } | null {
  let i = at;
  // C's isspace: scanf skips these before a number, and they do not count in the width
  while (i < s.length && ' \t\n\v\f\r'.includes(s.charAt(i))) i++;
  let width = 2;
  const sign = s.charAt(i) === '-' ? -1 : 1;
  if (s.charAt(i) === '-' || s.charAt(i) === '+') {
    i++;
    width--;
  }
  let value = 0;
  let digits = 0;
  for (; width > 0 && /^[0-9a-fA-F]$/.test(s.charAt(i)); width--) {
    value = value * 16 + parseInt(s.charAt(i++), 16);
    digits++;
    // a leading 0 and an x after it is the 0x prefix, taking the rest of the width
    if (digits === 1 && value === 0 && width === 2 && /^[xX]$/.test(s.charAt(i))) {
      i++;
      width--;
    }
  }
  return digits === 0 ? null : { value: sign * value, end: i };
}

/** Encode a value for the xenstore-write argument so that it is stored exactly as given. */
export function sanitiseXenstoreValue(value: string): string {
  return value.replace(/\\/g, '\\\\');
}
