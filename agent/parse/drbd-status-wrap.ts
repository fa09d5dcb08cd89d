/**
 * The indent a `drbdadm status` line was meant to have, undoing a flaw of drbd-utils' line
 * wrapper before 9.32 (user/shared/wrap_printf.c, fixed by commit 5344208f "wrap_printf: fix
 * wrong intendation after newline").
 *
 * The printers end a line with `wrap_printf(indent, "\n")`. When the line already reached the
 * wrap column (80 when stdout is no terminal), the old wrapper wrapped the "\n" itself: it printed
 * the newline, then the INDENT blanks of that call as if text followed, and left its column count
 * at INDENT. The next piece, meant to start a line of its own, was then printed right after those
 * blanks, its own leading blank kept and its own indent not printed. It shows only in --verbose or
 * --statistics output, where the calls that end a line ask for indent 4 (resource, before its
 * statistics), 6 (volume) or 8 (peer volume, before its statistics):
 *   - a continuation piece (` size:…`, ` write-ordering:…`, ` received:…`) lands one column right of
 *     its object's continuation indent: 5, 7 or 9;
 *   - the line after a volume lands at 6: a connection's name, the next `volume:N`, or (7) an
 *     unnamed connection's ` node-id:N`.
 * Only a line that follows one of 80 columns or more can be such a line. Any other line keeps its
 * indent. From 9.32 the wrapper counts its column without the indent (and one short), so lines run
 * past 80 (up to 81 + their indent) and a one-letter resource or peer name is followed by the next
 * field's indent (`r    role:Primary`); their lines keep their indents, which are never 5, 7 or 9
 * and never put a name or `volume:` at 6 after a volume, so this rule leaves them as printed.
 */
const WRAP_COLUMNS = 80;

export type Level2Kind = 'device' | 'conn' | null;

export function intendedIndent(indent: number, firstKey: string | null, previousLineLength: number, level2: Level2Kind): number {
  if (previousLineLength < WRAP_COLUMNS) return indent;
  if (indent === 7 && firstKey === 'node-id') return 2;
  if (indent === 5 || indent === 7 || indent === 9) return indent - 1;
  // A continuation at 6 always opens with key:value, and never with volume: (the first field of
  // a volume line): a name or a new volume at 6 is the next object, pushed right by the flaw.
  if (indent === 6 && level2 === 'device' && (firstKey === null || firstKey === 'volume')) return 2;
  return indent;
}
