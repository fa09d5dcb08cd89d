import { describe, expect, it } from 'vitest';
import { WrapPrintf, type WrapUtils } from './wrap-printf.js';

/** The pieces as the status printers pass them to wrap_printf(indent, piece), and what each release prints. */
const printed = (utils: WrapUtils, pieces: ReadonlyArray<readonly [number, string]>): string => {
  const w = new WrapPrintf(utils);
  for (const [indent, piece] of pieces) w.print(indent, piece);
  return w.out;
};

describe('wrap_printf as drbd-utils releases print through it', () => {
  // a volume line ending on column 80, then `wrap_printf(6, "\n")` and the next connection
  const volumeThenConnection = [[2, `volume:0 ${'x'.repeat(61)}`], [6, ' abcdefg'], [6, '\n'], [2, 'peer'], [6, ' role:Secondary'], [0, '\n']] as const;

  it('before 9.32 the "\\n" that passes column 80 leaves its indent, and the next line starts after it', () => {
    expect(printed('9.22', volumeThenConnection)).toBe(`  volume:0 ${'x'.repeat(61)} abcdefg\n      peer role:Secondary\n`);
  });
  it('from 9.32 the next line keeps its own indent', () => {
    expect(printed('9.32', volumeThenConnection)).toBe(`  volume:0 ${'x'.repeat(61)} abcdefg\n  peer role:Secondary\n`);
  });

  it('from 9.32 the count leaves out the indent: a line at 6 runs to 87 columns; before, it wraps at 80', () => {
    const pieces = [[6, 'a'.repeat(70)], [6, ` ${'b'.repeat(10)}`], [0, '\n']] as const;
    expect(printed('9.32', pieces)).toBe(`      ${'a'.repeat(70)} ${'b'.repeat(10)}\n`);
    expect(printed('9.22', pieces)).toBe(`      ${'a'.repeat(70)}\n      ${'b'.repeat(10)}\n`);
  });

  it('from 9.32 a one-letter first piece leaves the count at 0: the next piece gets its indent', () => {
    const pieces = [[0, 'r'], [4, ' role:Primary'], [0, '\n'], [2, 'b'], [6, ' role:Secondary'], [0, '\n']] as const;
    expect(printed('9.32', pieces)).toBe('r    role:Primary\n  b      role:Secondary\n');
    expect(printed('9.22', pieces)).toBe('r role:Primary\n  b role:Secondary\n');
  });
});
