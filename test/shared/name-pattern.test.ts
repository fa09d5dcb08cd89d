import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, matches, type NamePattern } from '../../shared/name-pattern.js';
import { scavengesDuring } from '../fuzz/heap-after-gc.js';

const compiled = (p: string): NamePattern => {
  const c = compilePattern(p);
  if (!c.ok) throw new Error(c.error);
  return c.value;
};
const hit = (p: string, name: string): boolean => matches(compiled(p), name);

/** The same glob as a regex, for short inputs only: the reference the matcher is held to. */
function referenceRegex(p: string): RegExp {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      const negate = p[j] === '!';
      if (negate) j++;
      const end = p.indexOf(']', p[j] === ']' ? j + 1 : j);
      re += `[${negate ? '^' : ''}${p.slice(j, end).replace(/[\\^\]]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else re += c.replace(/[.\]!]/g, (m) => `\\${m}`);
  }
  return new RegExp(`${re}$`, 's');
}

describe('glob matching', () => {
  it('stars, question marks, classes, ranges and negation', () => {
    expect(hit('web*', 'web01')).toBe(true);
    expect(hit('web*', 'db1')).toBe(false);
    expect(hit('*1', 'web1')).toBe(true);
    expect(hit('*', 'x')).toBe(true);
    expect(hit('w?b1', 'web1')).toBe(true);
    expect(hit('w?b1', 'wb1')).toBe(false);
    expect(hit('web[0-9][0-9]', 'web07')).toBe(true);
    expect(hit('web[0-9][0-9]', 'web7')).toBe(false);
    expect(hit('web[!0-9]*', 'webx1')).toBe(true);
    expect(hit('web[!0-9]*', 'web01')).toBe(false);
    expect(hit('*b*b*', 'abcb')).toBe(true);
    expect(hit('*b*b*', 'abc')).toBe(false);
    expect(hit('a*b*c', 'abbbc')).toBe(true);
    expect(hit('a*b*c', 'acb')).toBe(false);
    expect(hit('a**', 'a')).toBe(true);
    // "-" first or last in a class is itself; "]" first is itself, as in the shell
    expect(hit('x[-a]', 'x-')).toBe(true);
    expect(hit('x[a-]', 'x-')).toBe(true);
    expect(hit('x[]a]', 'xa')).toBe(true);
    expect(hit('x[]a]', 'xb')).toBe(false);
    expect(hit('x[!]a]', 'xb')).toBe(true);
    expect(hit('x[!]a]', 'xa')).toBe(false);
  });

  it('refuses a class that does not close or runs backwards', () => {
    expect(compilePattern('web[').ok).toBe(false);
    expect(compilePattern('web[!]').ok).toBe(false);
    expect(compilePattern('web[]').ok).toBe(false);
    const back = compilePattern('web[9-0]');
    expect(back.ok ? null : back.error).toBe('"web[9-0]" is not a valid glob: the range 9-0 runs backwards (write [0-9])');
  });

  it('agrees with the same glob as a regex, on random short patterns and names', () => {
    const nameChar = fc.constantFrom('a', 'b', 'c', '1', '-', '.', '_');
    const patternPart = fc.oneof(nameChar, fc.constantFrom('*', '?', '[ab]', '[!a]', '[a-c]', '[]a]', '[-1]'));
    fc.assert(
      fc.property(fc.array(patternPart, { minLength: 1, maxLength: 8 }), fc.array(nameChar, { maxLength: 10 }), (parts, chars) => {
        const p = parts.join('');
        const name = chars.join('');
        expect(hit(p, name), `${p} on ${name}`).toBe(referenceRegex(p).test(name));
      }),
      { numRuns: 3000 },
    );
  });

  it('a pattern made to make a backtracking regex run for long answers at once', () => {
    // as a regex (one ".*" per star), this one took about 10 s over one 64-character name, the
    // controller's event loop blocked all along, and this test failed on vitest's timeout; each
    // further "*a" multiplies that by about five
    const name = 'a'.repeat(64);
    expect(hit(`${'*a'.repeat(6)}*b`, name)).toBe(false);
    expect(hit(`${'*a'.repeat(40)}*`, name)).toBe(true);
  });
});

describe('which patterns are taken', () => {
  it('one of the allowed characters each, 1 to 128 of them; any other refused naming the first bad one, counted as characters (not UTF-16 units)', () => {
    const allowed = /^[A-Za-z0-9._*?[\]!-]$/u;
    const char = fc.oneof(fc.constantFrom(...'aZ09._-*?[]!'), fc.constantFrom(' ', '/', 'é', '😀', '\u0000', '\n', '$', '{'));
    fc.assert(
      fc.property(fc.oneof(fc.array(char, { maxLength: 12 }), fc.array(fc.constant('a'), { minLength: 126, maxLength: 131 })), (chars) => {
        const p = chars.join('');
        const r = compilePattern(p);
        const points = Array.from(p);
        const bad = points.findIndex((c) => !allowed.test(c));
        const error = r.ok ? null : r.error;
        if (p === '') expect(error).toContain('the pattern is empty');
        else if (bad !== -1 && bad < 129) expect(error).toContain(`character ${bad + 1}, ${JSON.stringify(points[bad])}, is not allowed`);
        else if (p.length > 128) expect(error).toContain('longer than 128 characters');
        // its characters all allowed: taken, or refused for its glob alone (a bracket left open)
        else expect(error ?? '', JSON.stringify(p)).not.toMatch(/is not allowed|longer than|is empty/);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('a usual pattern, as every `where` asks one', () => {
  it('is checked with no garbage per character: an array of its characters and their entries were made for every request', async () => {
    const checks = (n: number) => () => {
      for (let i = 0; i < n; i++) if (!compilePattern('web-frontend-01.example').ok) throw new Error('refused');
    };
    checks(20_000)();
    // 200,000 checks: 44 scavenges before, 3 or 4 now (the answer made for each)
    expect(await scavengesDuring(checks(200_000))).toBeLessThanOrEqual(10);
  });
});
