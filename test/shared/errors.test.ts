import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../../shared/errors.js';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...docs.matchAll(/^\| `(XH_ERR_[A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1] as string, Number(m[2])]),
);

describe('error catalog', () => {
  it('documents every code with its exit code, and nothing else', () => {
    const catalog = new Map(Object.entries(ERROR_CATALOG).map(([code, e]) => [code, e.exit]));
    expect(documented).toEqual(catalog);
  });

  it('gives every code its own exit code (so a script can tell them apart)', () => {
    const exits = Object.values(ERROR_CATALOG).map((e) => e.exit);
    expect(new Set(exits).size).toBe(exits.length);
  });

  it('keeps exit codes in the range a shell reports faithfully', () => {
    for (const e of Object.values(ERROR_CATALOG)) {
      expect(e.exit).toBeGreaterThan(0);
      expect(e.exit).toBeLessThan(126);
    }
  });
});
