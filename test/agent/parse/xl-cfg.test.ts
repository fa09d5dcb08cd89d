import { describe, expect, it } from 'vitest';
import { parseXlCfg } from '../../../agent/parse/xl-cfg.js';

// Grammar details of xl.cfg taken from libxlu_cfg_l.l / libxlu_cfg_y.y.
const values = (text: string) => {
  const r = parseXlCfg(text);
  if (!r.ok) throw new Error(`${r.error.line}:${r.error.column} ${r.error.problem}`);
  return r.value.map((s) => [s.key, s.op, s.value.kind === 'atom' ? s.value.text : JSON.parse(JSON.stringify(s.value, (k, v: unknown) => (k === 'line' || k === 'column' || k === 'quoted' || k === 'kind' ? undefined : v)))]);
};
const failure = (text: string) => {
  const r = parseXlCfg(text);
  if (r.ok) throw new Error('parsed, expected an error');
  return r.error;
};

describe('parseXlCfg', () => {
  it('separates statements with newlines and ;, the last needing no terminator', () => {
    expect(values('a = 1; b = "x"\nc = 0x1f')).toEqual([['a', '=', '1'], ['b', '=', 'x'], ['c', '=', '0x1f']]);
  });

  it('takes nested lists spanning lines, with comments and a trailing comma', () => {
    expect(values("l = [ 'a', # one\n  [ 1, 2, ],\n\n]\n")).toEqual([['l', '=', { items: [{ text: 'a' }, { items: [{ text: '1' }, { text: '2' }] }] }]]);
  });

  it('applies the lexer escapes in both quote styles', () => {
    expect(values(`s = "a\\"b\\\\c\\td"\nt = 'it\\'s'`)).toEqual([['s', '=', 'a"b\\c\td'], ['t', '=', "it's"]]);
  });

  it('keeps += as written', () => {
    expect(values("d = [ 'a' ]\nd += [ 'b' ]")).toEqual([['d', '=', { items: [{ text: 'a' }] }], ['d', '+=', { items: [{ text: 'b' }] }]]);
  });

  it('accepts a last comment without newline (libxlu itself needs the newline)', () => {
    expect(values('a = 1\n# end')).toEqual([['a', '=', '1']]);
  });

  it.each([
    ['Name = "x"', 1, 1, false], // keys are lower case
    ['a = "x" + b', 1, 9, true],
    ['a = "x\\q"', 1, 7, false], // unknown escape
    ['a = "\\x41"', 1, 6, false], // numeric escapes are broken in libxlu
    ['a = 1\r\n', 1, 6, false], // CRLF
    ['a = \n', 1, 5, false],
    ['a = [ 1 2 ]', 1, 9, false],
    ['= 1', 1, 1, false],
    ['a = 1 2', 1, 7, false],
  ])('refuses %j at %i:%i', (text, line, column, likelyPython) => {
    expect(failure(text)).toMatchObject({ line, column, likelyPython });
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(failure(`a = ${'['.repeat(100)}`).expected).toMatch(/nested at most/);
  });
});
