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
  it('reads Python literals: ints (octal, hex), negative, floats, a parenthesised value, lists', () => {
    expect(texts('a = 010\nb = 0x10\nd = -1\nh = (5)\ni = 1.5\nj = [1, (2, 3)]\n')).toEqual({ a: '8', b: '16', d: '-1', h: '5', i: '1.5', j: 2 });
  });

  it('sets nothing for a value xend passes by (xm/opts.py takes str, list, int, float): None, tuple, bool, long, unicode', () => {
    expect(texts("c = 512L\ne = False\nf = (1, 2)\ng = None\nu = u'x'\nv = 'a' u'b'\nk = ()\n")).toEqual({});
    // the last assignment decides, as in Python
    expect(texts("disk = ['phy:/dev/vg/a,xvda,w']\ndisk = ('phy:/dev/vg/a,xvda,w',)\n")).toEqual({});
    expect(texts("disk = ('phy:/dev/vg/a,xvda,w',)\ndisk = ['drbd:r0,xvda,w']\n")).toEqual({ disk: 1 });
  });

  it('+= of a list (or tuple) to a list, or of a str to a str; any other += is Python code or an error', () => {
    const r = parseXmCfg("disk = ['drbd:r0,xvda,w']\ndisk += ('drbd:r1,xvdb,w',)\nextra = 'a'\nextra += 'b'\n");
    expect(r.ok && r.value.map((s) => [s.key, s.op])).toEqual([['disk', '='], ['disk', '+='], ['extra', '='], ['extra', '+=']]);
    expect(failure('memory = 512\nmemory += 256\n')).toMatchObject({ line: 2, pythonCode: true });
    expect(failure("vif = ('bridge=xenbr0',)\nvif += ['bridge=xenbr1']\n")).toMatchObject({ line: 2, pythonCode: true });
    expect(failure("disk += ['drbd:r0,xvda,w']\n")).toMatchObject({ line: 1, pythonCode: false, problem: '`disk +=` before any `disk =`' });
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

  it('ends lines at \\r\\n and at a lone \\r, as execfile\'s universal newlines do', () => {
    expect(texts("a = 'x'\r\nb = 2\rc = 'y' \\\r\n  'z'\r")).toEqual({ a: 'x', b: '2', c: 'yz' });
    expect(failure("a = 'open\rb = 1\n")).toMatchObject({ line: 1, pythonCode: false });
    expect(failure("a = 1\rimport os\n")).toMatchObject({ line: 2, pythonCode: true });
  });

  it('refuses an indented statement, as Python does at the top level; continuations, comments and blank lines may be indented', () => {
    expect(failure("name = 'web'\n  memory = 512\n")).toMatchObject({ line: 2, column: 1, problem: 'the line is indented', pythonCode: false });
    expect(failure("\tname = 'web'\n")).toMatchObject({ line: 1, problem: 'the line is indented' });
    expect(failure("a = 1;\n b = 2\n")).toMatchObject({ line: 2 });
    expect(texts("  # a comment\n\t\nname = 'web'\ndisk = [\n    'drbd:r0,xvda,w',\n    ]\nextra = 'a' \\\n   'b'\nvcpus = 1; memory = 2\n")).toEqual({ name: 'web', disk: 1, extra: 'ab', vcpus: '1', memory: '2' });
    // a form feed resets Python's column count: not an indent
    expect(texts("name = 'web'\n\fmemory = 512\n")).toEqual({ name: 'web', memory: '512' });
    expect(failure("name = 'web'\n\f memory = 512\n")).toMatchObject({ line: 2 });
  });

  it('reports plain syntax errors as such', () => {
    expect(failure('a = "open\n')).toMatchObject({ line: 1, pythonCode: false });
    expect(failure('a = [1, 2\n')).toMatchObject({ pythonCode: false });
  });
});
