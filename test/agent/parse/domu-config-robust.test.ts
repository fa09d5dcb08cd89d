import { describe, expect, it } from 'vitest';
import { parseDomuConfig } from '../../../agent/parse/domu-config.js';
import { parseMigrateTab } from '../../../agent/parse/migrate-tab.js';
import { listFixtures, readFixture } from '../../fixture.js';

// Parsers must return a Result for any input: never throw, never hang. Deterministic mutations
// of the real fixtures (truncation, byte flips, inserted syntax characters) exercise odd paths.
function* mutations(text: string, seed: number): Generator<string> {
  let s = seed;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % Math.max(1, n);
  };
  const chars = ['[', ']', "'", '"', '\\', ',', '=', '+', '#', '\n', ';', '(', ')', '\r', ':', 'x', '0', ' '];
  for (let i = 0; i < 150; i++) {
    const at = rnd(text.length);
    yield i % 3 === 0 ? text.slice(0, at) : text.slice(0, at) + (chars[rnd(chars.length)] ?? '') + text.slice(at + (i % 2));
  }
}

describe('robustness', () => {
  it('domU config: every mutation of every fixture gives a Result with file and line', () => {
    let n = 0;
    for (const rel of listFixtures('domu-config')) {
      for (const text of mutations(readFixture(rel).body, n + 7)) {
        const r = parseDomuConfig(text, 'm.cfg', { dialect: 'auto' });
        n++;
        if (!r.ok) {
          expect(r.error.code).toBe('XH_ERR_CONFIG');
          expect(r.error.line).toBeGreaterThanOrEqual(1);
          expect(r.error.message.startsWith('m.cfg:')).toBe(true);
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  it('migrate-tab: mutations never throw', () => {
    for (const rel of listFixtures('migrate-tab')) {
      for (const text of mutations(readFixture(rel).body, 3)) expect(() => parseMigrateTab(text, 't')).not.toThrow();
    }
  });
});

describe('a list grown by += many times', () => {
  it('keeps every item in order, and an = starts the list again', () => {
    const appends = Array.from({ length: 5_000 }, (_, i) => `disk += ['drbd:r${i + 1},xvd${i},w']`).join('\n');
    const r = parseDomuConfig(`name="big1"\ndisk=['drbd:r0,xvda,w']\n${appends}\n`, 'big1.cfg', { dialect: 'xl' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.disks.map((d) => d.target)).toEqual(['r0', ...Array.from({ length: 5_000 }, (_, i) => `r${i + 1}`)]);
    const again = parseDomuConfig(`name="b"\ndisk=['drbd:r0,xvda,w']\ndisk+=['drbd:r1,xvdb,w']\ndisk=['drbd:r2,xvda,w']\ndisk+=['drbd:r3,xvdb,w']\n`, 'b.cfg', { dialect: 'xl' });
    expect(again.ok && again.value.disks.map((d) => d.target)).toEqual(['r2', 'r3']);
  });
});
