import { describe, expect, it } from 'vitest';
import { applyDomainRows, domainRowsBetween } from '../../shared/protocol/domain-rows.js';
import { seededRandom } from '../../shared/random.js';
import { dom } from '../controller/states.js';

// The two halves of feature domain-rows: the agent's diff of its domains section and the
// controller's applying it, checked against each other on random edits.

describe('domain rows between two domains sections, and applied', () => {
  it('names only the changed, new and gone rows, with the count after', () => {
    const before = [dom('a'), dom('b'), dom('c'), dom('d')];
    expect(domainRowsBetween(before, [dom('a'), dom('b', { state: 'paused' }), dom('d'), dom('e')])).toEqual({ set: [dom('b', { state: 'paused' }), dom('e')], gone: ['c'], count: 4 });
    // every field counts as a change
    for (const change of [{ domid: 9 }, { memMiB: 1 }, { vcpus: 8 }, { state: 'running' as const }, { migration: 'incoming' as const }]) {
      const rows = domainRowsBetween(before, [{ ...dom('a'), ...change }, dom('b'), dom('c'), dom('d')]);
      expect(rows?.set).toHaveLength(1);
    }
  });

  it('is null when the changed rows are not fewer than the section: the whole section is sent then', () => {
    expect(domainRowsBetween([dom('a')], [dom('a', { state: 'paused' })])).toBeNull();
    expect(domainRowsBetween([dom('a'), dom('b')], [])).toBeNull();
    expect(domainRowsBetween([], [dom('a')])).toBeNull();
    expect(domainRowsBetween([dom('a'), dom('b'), dom('c')], [dom('x'), dom('y')])).toBeNull();
  });

  it('is null when a row name appears twice on either side: rows are matched by name', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((n) => dom(n));
    expect(domainRowsBetween(many, [...many, dom('a', { domid: 99 })])).toBeNull();
    expect(domainRowsBetween([...many, dom('a', { domid: 99 })], many)).toBeNull();
    expect(domainRowsBetween(many, [...many.slice(1), dom('f')])).not.toBeNull();
  });

  it('applied to the rows it was taken from, gives the same rows; unchanged ones stay the objects held', () => {
    const random = seededRandom(7);
    const roll = (n: number): number => Math.floor(random() * n);
    for (let run = 0; run < 500; run++) {
      const before = Array.from({ length: roll(30) }, (_, i) => dom(`vm${i}`, { domid: i }));
      const after = before.flatMap((d) => {
        const r = roll(10);
        return r === 0 ? [] : r === 1 ? [{ ...d, memMiB: 1 + roll(9000) }] : [d];
      });
      for (let k = roll(3); k > 0; k--) after.push(dom(`new${k}`));
      const rows = domainRowsBetween(before, after);
      if (rows === null) continue;
      const applied = applyDomainRows(before, rows);
      expect(applied.ok).toBe(true);
      if (!applied.ok) continue;
      const sorted = (l: readonly { name: string }[]) => [...l].sort((x, y) => x.name.localeCompare(y.name));
      expect(sorted(applied.value)).toEqual(sorted(after));
      const held = new Set(before);
      for (const d of applied.value) if (!rows.set.includes(d)) expect(held.has(d)).toBe(true);
    }
  });

  it('refuses rows that do not fit what is held, naming what', () => {
    const held = [dom('a'), dom('b')];
    expect(applyDomainRows(held, { set: [], gone: ['zz'], count: 1 })).toEqual({ ok: false, error: 'rows said gone are not held: zz' });
    expect(applyDomainRows(held, { set: [dom('c')], gone: [], count: 2 })).toEqual({ ok: false, error: 'the rows make 3 rows, the message says 2' });
    expect(applyDomainRows(held, { set: [dom('a', { state: 'paused' })], gone: ['b'], count: 1 })).toEqual({ ok: true, value: [dom('a', { state: 'paused' })] });
  });

  it('a short list of rows (scanned) and a long one (looked up) apply alike, a name held twice too', () => {
    const held = [dom('a'), dom('a'), dom('b')];
    const extra = Array.from({ length: 9 }, (_, i) => dom(`n${i}`));
    for (const added of [[], extra]) {
      const changed = applyDomainRows(held, { set: [dom('a', { memMiB: 7 }), ...added], gone: [], count: 3 + added.length });
      expect(changed).toEqual({ ok: true, value: [dom('a', { memMiB: 7 }), dom('a'), dom('b'), ...added] });
      const dropped = applyDomainRows(held, { set: added, gone: ['a'], count: 2 + added.length });
      expect(dropped).toEqual({ ok: true, value: [dom('a'), dom('b'), ...added] });
      expect(applyDomainRows(held, { set: added, gone: ['zz', 'b', 'yy'], count: 2 + added.length })).toEqual({ ok: false, error: 'rows said gone are not held: zz, yy' });
    }
  });
});
