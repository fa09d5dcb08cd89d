// The per-domU indexes of the fleet view (who runs a domU, who claims it as home, which ledgers
// record it, who guards it) are MultiIndexes: name → host → value, each name's hosts one flat
// array rather than a Map. What they answer must be what a Map of Maps answers, after any
// sequence of hosts' sections replaced and values updated, and so must what they tell onChange.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { runs } from '../../fuzz/fuzz-kit.js';
import { heapAfterGc } from '../../fuzz/heap-after-gc.js';

const HOSTS = ['xen1', 'xen2', 'xen3'];
const NAMES = ['web1', 'web2', 'db1', 'constructor'];

interface Value {
  readonly v: number;
}

/** The index as a Map of Maps, with what it tells of each change: the plain model MultiIndex must answer as. */
class Model {
  readonly byName = new Map<string, Map<string, Value>>();
  readonly heard: string[] = [];
  replace(host: string, entries: ReadonlyArray<readonly [string, Value]>): string[] {
    const next = new Map(entries);
    const changed = new Set<string>();
    for (const [name, m] of [...this.byName]) {
      if (!m.has(host) || next.has(name)) continue;
      this.heard.push(`${name}: ${m.get(host)?.v} -> none`);
      m.delete(host);
      if (m.size === 0) this.byName.delete(name);
      changed.add(name);
    }
    for (const [name, value] of next) {
      const m = this.byName.get(name) ?? new Map<string, Value>();
      this.byName.set(name, m);
      if (m.get(host) !== value) this.heard.push(`${name}: ${m.get(host)?.v ?? 'none'} -> ${value.v}`);
      if (!m.has(host)) changed.add(name);
      m.set(host, value);
    }
    return [...changed];
  }
  update(name: string, host: string, value: Value): boolean {
    const m = this.byName.get(name);
    if (!m?.has(host)) return false;
    if (m.get(host) !== value) this.heard.push(`${name}: ${m.get(host)?.v} -> ${value.v}`);
    m.set(host, value);
    return true;
  }
}

const VALUES: Value[] = [0, 1, 2].map((v) => ({ v }));

const opArb = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), host: fc.constantFrom(...HOSTS), entries: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)), { selector: ([n]) => n, maxLength: 4 }) }),
  fc.record({ op: fc.constant('update' as const), host: fc.constantFrom(...HOSTS), name: fc.constantFrom(...NAMES), value: fc.constantFrom(...VALUES) }),
);

/** Everything a reader can ask of one name's hosts, as plain data. */
const readAll = (m: ReadonlyMap<string, Value> | undefined) => {
  if (m === undefined) return null;
  const each: string[] = [];
  m.forEach((v, h) => each.push(`${h}=${v.v}`));
  return { size: m.size, entries: [...m].map(([h, v]) => `${h}=${v.v}`), keys: [...m.keys()], values: [...m.values()].map((v) => v.v), each, got: HOSTS.map((h) => [m.has(h), m.get(h)?.v]) };
};

describe('MultiIndex', () => {
  it('answers as a Map of Maps after random replaces and updates, and tells onChange the same changes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), (ops) => {
        const heard: string[] = [];
        const ix = new MultiIndex<Value>((name, before, after) => heard.push(`${name}: ${before?.v ?? 'none'} -> ${after?.v ?? 'none'}`));
        const model = new Model();
        for (const o of ops) {
          if (o.op === 'replace') expect(ix.replace(o.host, o.entries).sort()).toEqual(model.replace(o.host, o.entries).sort());
          else expect(ix.update(o.name, o.host, o.value)).toBe(model.update(o.name, o.host, o.value));
          expect([...ix.names()].sort()).toEqual([...model.byName.keys()].sort());
          for (const name of NAMES) expect(readAll(ix.get(name))).toEqual(readAll(model.byName.get(name)));
          expect([...ix.entries()].map(([n, m]) => [n, readAll(m)])).toEqual([...ix.names()].map((n) => [n, readAll(model.byName.get(n))]));
        }
        expect(heard.sort()).toEqual(model.heard.sort());
      }),
      runs(300),
    );
  });

  it("holds a name's two hosts in one small array, not a Map each", async () => {
    const N = 20_000;
    const value = { v: 1 };
    const before = await heapAfterGc();
    const ix = new MultiIndex<Value>();
    for (let h = 0; h < 100; h++) {
      const host = `xen${h}`;
      ix.replace(host, Array.from({ length: N / 50 }, (_, i) => [`vm${h >> 1}-${i}`, value] as const));
    }
    const perName = ((await heapAfterGc()) - before) / N;
    expect([...ix.names()].length).toBe(N);
    // the names, the name → hosts Map and each host's list of names included: some 195 bytes a
    // name with its hosts in one array, some 295 with a Map per name
    expect(perName).toBeLessThan(240);
  });
});
