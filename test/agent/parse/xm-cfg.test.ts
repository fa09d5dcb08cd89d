import { describe, expect, it } from 'vitest';
import { parseXmCfg } from '../../../agent/parse/xm-cfg.js';

// The xm reader accepts literal Python assignments only; anything computed is "Python code".
const texts = (text: string) => {
  const r = parseXmCfg(text);
  if (!r.ok) throw new Error(`${r.error.line}: ${r.error.problem}`);
  return Object.fromEntries(r.value.map((s) => [s.key, s.value.kind === 'atom' ? s.value.text : s.value.items.length]));
};
const failure = (text: string) => {
  const r = parseXmCfg(text);
  if (r.ok) throw new Error('parsed, expected an error');
  return r.error;
};

describe('parseXmCfg', () => {
  it('reads Python literals: ints (octal, hex, long), negative, booleans, tuples, None', () => {
    expect(texts('a = 010\nb = 0x10\nc = 512L\nd = -1\ne = False\nf = (1, 2)\ng = None\nh = (5)\n')).toEqual({ a: '8', b: '16', c: '512', d: '-1', e: '0', f: 2, h: '5' });
  });

  it('reads Python string forms', () => {
    expect(texts(`a = 'x\\ty'\nb = r'\\d'\nc = """multi\nline"""\nd = "a" 'b'\n`)).toEqual({ a: 'x\ty', b: '\\d', c: 'multi\nline', d: 'ab' });
  });

  it.each([
    ['import os\nname = "a"', 1],
    ['name = "VM%d" % vmid', 1],
    ['memory = 256 * 2', 1],
    ['name = "a"\nkernel = os.path.join("/boot", "vmlinuz")', 2],
    ['arch = os.uname()[4]', 1],
    ['x = y', 1],
    ['xm_vars.check()', 1],
    ['if True:\n  a = 1', 1],
  ])('flags Python code in %j on line %i', (text, line) => {
    const e = failure(text);
    expect(e).toMatchObject({ line, pythonCode: true });
    expect(e.problem).toMatch(/^xm config uses Python code here/);
  });

  it('reports plain syntax errors as such', () => {
    expect(failure('a = "open\n')).toMatchObject({ line: 1, pythonCode: false });
    expect(failure('a = [1, 2\n')).toMatchObject({ pythonCode: false });
  });
});
