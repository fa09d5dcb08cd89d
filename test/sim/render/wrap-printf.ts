/**
 * drbd-utils' user/shared/wrap_printf.c, which every `drbdsetup status` text printer writes
 * through, in its two released forms (80 columns: stdout is no terminal under the agent):
 *
 * '9.22' — drbd-utils from 2018 (d1af4f6d) to 9.31: a piece that would pass column 80 starts a
 *   new line; a piece starting a line loses its leading blanks and gets the indent instead; a
 *   piece ending in "\n" ends the line. A "\n" piece that itself passes column 80 (the line is
 *   already 80 long) is the flaw agent/parse/drbd-status-wrap.ts undoes: the newline is printed,
 *   then the indent of that call, and the next piece follows those blanks.
 *
 * '9.32' — drbd-utils 9.32.0 on (commit 5344208f "wrap_printf: fix wrong intendation after
 *   newline"): leading newlines are printed at once and an empty rest prints nothing, so no
 *   indent is left behind. The same change sets the column to the indent only after the
 *   `while (indent--)` loop has run it down to -1: the column it counts leaves out the indent
 *   and is one short, so a line reaches up to 81 + indent columns before it wraps, and a first
 *   piece of one character (a one-letter resource or peer name) leaves the count at 0, so the
 *   next piece is taken for the start of a line: its blank dropped and its indent printed
 *   (`r    role:Secondary`).
 */
export type WrapUtils = '9.22' | '9.32';

const COLUMNS = 80;

export class WrapPrintf {
  private col = 0;
  out = '';
  constructor(private readonly utils: WrapUtils = '9.22') {}

  print(indent: number, piece: string): void {
    if (this.utils === '9.32') this.print932(indent, piece);
    else this.print922(indent, piece);
  }

  private print922(indent: number, piece: string): void {
    let p = piece;
    if (this.col + p.length > COLUMNS) {
      this.out += '\n';
      if (p.startsWith('\n')) p = p.slice(1);
      this.col = 0;
    }
    if (this.col === 0) {
      p = p.replace(/^ +/, '');
      this.col += indent;
      this.out += ' '.repeat(indent);
    }
    this.out += p;
    this.col += p.length;
    if (p.endsWith('\n')) this.col = 0;
  }

  private print932(indent: number, piece: string): void {
    let p = piece;
    while (p.startsWith('\n')) {
      this.out += '\n';
      this.col = 0;
      p = p.slice(1);
    }
    if (p === '') return;
    if (this.col > 0 && this.col + p.length > COLUMNS) {
      this.out += '\n';
      this.col = 0;
    }
    if (this.col === 0) {
      p = p.replace(/^ +/, '');
      this.out += ' '.repeat(indent);
      // `col = indent;` after `while (indent--)`: -1 whatever the indent
      this.col = -1;
    }
    this.out += p;
    this.col += p.length;
    if (p.endsWith('\n')) this.col = 0;
  }
}
