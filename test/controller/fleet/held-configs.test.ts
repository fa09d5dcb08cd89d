// The fleet view holds each domU config a Dom0 reports (its `domus` section) as an entry shared
// with every other host reporting an equal one (held-configs.ts): a DRBD pair's two Dom0s report
// the same resources and hosts for each domU of the pair, and at 2,000 Dom0s a copy per host and
// per report was tens of MB. What is shared must change nothing that is read: every record's state
// stays, byte for byte, the state that was put.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import type { HostState, LinkDomuConfig } from '../../../shared/protocol/agent-link-state.js';
import { runs } from '../../fuzz/fuzz-kit.js';
import { hostState, record } from '../states.js';

const config = (name: string, source: LinkDomuConfig['source'], hosts: string[], memMiB = 1024): LinkDomuConfig => ({ name, source, memMiB, vcpus: 1, resources: [{ name: `r-${name}`, hosts: [...hosts] }] });

/** A config as a new report parses it: equal values, none of them the objects held. */
const reparsed = (c: LinkDomuConfig): LinkDomuConfig => JSON.parse(JSON.stringify(c)) as LinkDomuConfig;

const configsOf = (ix: FleetIndex, host: string): readonly LinkDomuConfig[] => ix.record(host)?.state?.domus ?? [];

describe('held configs', () => {
  it("shares a DRBD pair's resource list of a domU between its two Dom0s, frozen", () => {
    const ix = new FleetIndex();
    ix.put(record('xen1', hostState({ domus: [config('web1', 'guarded', ['xen1', 'xen2'])] })));
    ix.put(record('xen2', hostState({ domus: [config('web1', 'config-dir', ['xen1', 'xen2'])] })));
    const [a] = configsOf(ix, 'xen1');
    const [b] = configsOf(ix, 'xen2');
    expect(b?.source).toBe('config-dir');
    expect(b?.resources).toBe(a?.resources);
    expect(Object.isFrozen(a?.resources[0]?.hosts)).toBe(true);
    expect(Object.isFrozen(b)).toBe(true);
    expect([...(ix.configs.get('web1')?.keys() ?? [])]).toEqual(['xen1', 'xen2']);
  });

  it("shares one host list between a report's configs naming the same hosts", () => {
    const ix = new FleetIndex();
    ix.put(record('xen1', hostState({ domus: [config('web1', 'guarded', ['xen1', 'xen2']), config('db1', 'guarded', ['xen1', 'xen2']), config('app1', 'guarded', ['xen1', 'xen3'])] })));
    const [web1, db1, app1] = configsOf(ix, 'xen1');
    expect(db1?.resources[0]?.hosts).toBe(web1?.resources[0]?.hosts);
    expect(app1?.resources[0]?.hosts).toEqual(['xen1', 'xen3']);
    expect(Object.isFrozen(db1?.resources[0]?.hosts)).toBe(true);
  });

  it('keeps the held config when a report sends it again unchanged, and a changed one as reported', () => {
    const ix = new FleetIndex();
    const first = [config('web1', 'guarded', ['xen1', 'xen2']), config('db1', 'guarded', ['xen1', 'xen2'])];
    ix.put(record('xen1', hostState({ domus: first })));
    const held = configsOf(ix, 'xen1');
    ix.put(record('xen1', hostState({ domus: [reparsed(config('web1', 'guarded', ['xen1', 'xen2'])), config('db1', 'guarded', ['xen1', 'xen3'], 2048)] })));
    const [web1, db1] = configsOf(ix, 'xen1');
    expect(web1).toBe(held[0]);
    expect(db1).toEqual(config('db1', 'guarded', ['xen1', 'xen3'], 2048));
    expect(ix.configs.get('db1')?.get('xen1')).toBe(db1);
  });

  it('forgets a config once no host reports it', () => {
    const ix = new FleetIndex();
    ix.put(record('xen1', hostState({ domus: [config('web1', 'guarded', ['xen1', 'xen2'])] })));
    ix.put(record('xen1', hostState({ domus: [] })));
    expect(ix.configs.get('web1')).toBeUndefined();
    ix.put(record('xen2', hostState({ domus: [config('web1', 'guarded', ['xen1', 'xen2'])] })));
    ix.remove('xen2');
    expect(ix.configs.get('web1')).toBeUndefined();
  });

  it('holds, byte for byte, every state put, through random reports of configs shared or not', () => {
    const HOSTS = ['xen1', 'xen2', 'xen3'];
    const NAMES = ['web1', 'web2', 'db1'];
    const configArb = (name: string): fc.Arbitrary<LinkDomuConfig | null> =>
      fc.option(
        fc.record({
          name: fc.constant(name),
          source: fc.constantFrom<LinkDomuConfig['source']>('guarded', 'config-dir'),
          memMiB: fc.option(fc.constantFrom(512, 1024), { nil: null }),
          vcpus: fc.option(fc.constantFrom(1, 2), { nil: null }),
          resources: fc.array(fc.record({ name: fc.constantFrom(`r-${name}`, `r-${name}-b`), hosts: fc.subarray(HOSTS) }), { maxLength: 2 }),
        }),
        { nil: null },
      );
    const reportArb = fc.record({ host: fc.constantFrom(...HOSTS), forget: fc.integer({ min: 0, max: 5 }).map((n) => n === 0), domus: fc.tuple(...NAMES.map(configArb)) });
    fc.assert(
      fc.property(fc.array(reportArb, { maxLength: 12 }), (reports) => {
        const ix = new FleetIndex();
        const put = new Map<string, HostState>();
        // the name → host → config index as a MultiIndex keeps it: the fleet index's is a compact one, in the same order
        const naive = new MultiIndex<LinkDomuConfig>();
        for (const r of reports) {
          if (r.forget) {
            ix.remove(r.host);
            put.delete(r.host);
            naive.replace(r.host, []);
            continue;
          }
          // as a new report parses them: no object shared with what was put before
          const state = hostState({ domus: r.domus.filter((c): c is LinkDomuConfig => c !== null).map(reparsed) });
          ix.put(record(r.host, state));
          put.set(r.host, state);
          naive.replace(r.host, state.domus.map((c) => [c.name, c] as const));
          for (const [host, s] of put) expect(JSON.stringify(ix.record(host)?.state)).toBe(JSON.stringify(s));
          for (const name of NAMES) {
            const want = [...put].flatMap(([host, s]) => s.domus.filter((c) => c.name === name).map((c) => [host, JSON.stringify(c)]));
            const held = [...(ix.configs.get(name) ?? [])].map(([host, c]) => [host, JSON.stringify(c)]);
            expect(held.sort()).toEqual(want.sort());
            expect([...(ix.configs.get(name) ?? [])].map(([host, c]) => [host, JSON.stringify(c)])).toEqual([...(naive.get(name) ?? [])].map(([host, c]) => [host, JSON.stringify(c)]));
            for (const host of HOSTS) expect(JSON.stringify(ix.configs.of(name, host))).toBe(JSON.stringify(naive.get(name)?.get(host)));
          }
        }
      }),
      runs(100),
    );
  });
});
