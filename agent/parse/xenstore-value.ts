/**
 * xenstore-read prints values "sanitised" and xenstore-write "unsanitises" its value argument
 * (tools/xs-clients/xenstore_client.c sanitise_value / unsanitise_value): printable ASCII except
 * `\` passes through; `\t \n \r \\` are escaped; other bytes are `\ooo` (below 010) or `\xhh`.
 * These pure functions undo and apply that, so values round-trip on every Xen version (the raw
 * `-R` flag only exists since Xen 4.12).
 */

/** Decode one value as printed by xenstore-read (without its trailing newline). */
export function unsanitiseXenstoreValue(printed: string): string {
  return printed.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S]?)/g, (all, e: string) => {
    if (e.length === 3 && e.startsWith('x')) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    switch (e) {
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case '\\': return '\\';
      case '': return '';
      default: return e; // unsanitise_value drops the backslash of an unknown escape
    }
  });
}

/** Encode a value for the xenstore-write argument so that it is stored exactly as given. */
export function sanitiseXenstoreValue(value: string): string {
  return value.replace(/\\/g, '\\\\');
}
