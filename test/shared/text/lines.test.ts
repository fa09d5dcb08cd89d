import { describe, expect, it } from 'vitest';
import { lineSplitter } from '../../../shared/text/lines.js';

const collect = (o: Parameters<typeof lineSplitter>[1] = {}) => {
  const lines: string[] = [];
  const overflows: string[] = [];
  const s = lineSplitter((l) => lines.push(l), { ...o, onOverflow: (t) => overflows.push(t) });
  return { s, lines, overflows };
};

describe('the line splitter', () => {
  it('joins chunks into lines, whatever the chunk boundaries', () => {
    const { s, lines } = collect();
    for (const c of ['ab', 'c\nde', 'f\n\ng', 'h']) s.push(c);
    s.end();
    expect(lines).toEqual(['abc', 'def', '', 'gh']);
  });

  it("stops at a line over the bound, even one that never ends, and takes nothing after ('stop')", () => {
    const { s, lines, overflows } = collect({ maxLineChars: 4 });
    s.push('1234\n12');
    s.push('345');
    s.push('\nmore\n');
    expect(lines).toEqual(['1234']);
    expect(overflows).toEqual(['12345']);
  });

  it("hands a long line on in pieces of the bound ('split')", () => {
    const { s, lines, overflows } = collect({ maxLineChars: 3, overflow: 'split' });
    s.push('abcdefg\nxy');
    s.push('zzz');
    s.end();
    expect(lines).toEqual(['abc', 'def', 'g', 'xyz', 'zz']);
    expect(overflows).toEqual([]);
  });
});
