import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { coreBed } from './core-bed.js';

// status names a silent Dom0's last domains; a migration's half among them is the domU's move, with
// the Dom0 of its other end as the reports show it, so xenherdctl can say "web1 (migration to xen2)".
describe("a silent Dom0's last domains during a move", () => {
  it("name a half's domU, which half, and the other end's Dom0 (null when no report shows one)", async () => {
    const bed = coreBed();
    const xen1 = await bed.online('xen1', hostState({ domains: [dom('db1'), dom('web1', { migration: 'migratedaway', state: 'paused' }), dom('web3', { migration: 'incoming', state: 'paused' })] }));
    await bed.online('xen2', hostState({ domains: [dom('web1', { migration: 'incoming', state: 'paused' })] }));
    xen1.pair.drop();
    await bed.clock.advance(1_000);
    const view = bed.core.status().hosts.find((h) => h.host === 'xen1');
    expect(view).toMatchObject({ reachable: false, halves: 2 });
    expect(view?.lastDomains).toEqual([
      { name: 'db1', state: 'blocked' },
      { name: 'web1--migratedaway', state: 'paused', half: { domu: 'web1', migration: 'migratedaway', other: 'xen2' } },
      { name: 'web3--incoming', state: 'paused', half: { domu: 'web3', migration: 'incoming', other: null } },
    ]);
  });
});
