// The fleet view keeps, for each DRBD resource, the hosts with a config naming it (FleetIndex's
// configsNaming, kept by configs-naming.ts): which domUs a DRBD peer appearing or going may pair
// with their holders. The hosts' lists are shared between resources held by the same hosts; what
// each resource's list holds must be, host for host and in order, what one list per resource held.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renamingHost } from '../../../controller/fleet/configs-naming.js';
import type { LinkDomuConfig } from '../../../shared/protocol/agent-link-state.js';
import { runs } from '../../fuzz/fuzz-kit.js';

const HOSTS = ['xen1', 'xen2', 'xen3'];
const RESOURCES = ['r-web1', 'r-web2', 'r-db1', 'r-db1-b'];

const config = (name: string, resources: string[]): LinkDomuConfig => ({ name, source: 'guarded', memMiB: 1024, vcpus: 1, resources: resources.map((r) => ({ name: r, hosts: [] })) });

/** The lists as one per resource keeps them: the host added last, or filtered out. */
function plainRenaming(naming: Map<string, string[]>, host: string, before: readonly LinkDomuConfig[], after: readonly LinkDomuConfig[]): void {
  const names = (cs: readonly LinkDomuConfig[]) => new Set(cs.flatMap((c) => c.resources.map((r) => r.name)));
  const was = names(before);
  const now = names(after);
  for (const r of was) {
    if (now.has(r)) continue;
    const rest = (naming.get(r) ?? []).filter((h) => h !== host);
    if (rest.length === 0) naming.delete(r);
    else naming.set(r, rest);
  }
  for (const r of now) if (!was.has(r)) naming.set(r, [...(naming.get(r) ?? []), host]);
}

describe('the hosts naming each DRBD resource', () => {
  it('are one list for every resource the same hosts name', () => {
    const naming = new Map<string, readonly string[]>();
    const pair = [config('web1', ['r-web1']), config('web2', ['r-web2']), config('db1', ['r-db1'])];
    renamingHost(naming, 'xen1', [], pair);
    renamingHost(naming, 'xen2', [], pair);
    expect(naming.get('r-web1')).toEqual(['xen1', 'xen2']);
    expect(naming.get('r-web2')).toBe(naming.get('r-web1'));
    expect(naming.get('r-db1')).toBe(naming.get('r-web1'));
    renamingHost(naming, 'xen1', pair, pair.slice(1));
    expect(naming.get('r-web1')).toEqual(['xen2']);
    expect(naming.get('r-web2')).toEqual(['xen1', 'xen2']);
  });

  it('hold, for every resource, the hosts one list per resource held, in the same order, through random reports', () => {
    const configsArb = fc.array(fc.record({ name: fc.constantFrom('web1', 'web2', 'db1'), resources: fc.subarray(RESOURCES, { maxLength: 2 }) }), { maxLength: 3 }).map((cs) => cs.map((c) => config(c.name, c.resources)));
    fc.assert(
      fc.property(fc.array(fc.record({ host: fc.constantFrom(...HOSTS), configs: configsArb }), { maxLength: 15 }), (reports) => {
        const shared = new Map<string, readonly string[]>();
        const plain = new Map<string, string[]>();
        const held = new Map<string, LinkDomuConfig[]>();
        for (const { host, configs } of reports) {
          renamingHost(shared, host, held.get(host) ?? [], configs);
          plainRenaming(plain, host, held.get(host) ?? [], configs);
          held.set(host, configs);
          expect(new Map([...shared].map(([r, hs]) => [r, [...hs]]))).toEqual(plain);
        }
      }),
      runs(300),
    );
  });
});
