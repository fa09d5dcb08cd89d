import { describe, expect, it } from 'vitest';
import type { HostView, WhereAnswer, WhereMatch } from '../../../shared/protocol/ctl-api.js';
import { away } from '../states.js';
import { run } from './newer-controller-bed.js';
import { hostView } from './host-view.js';

// web3's home xen2 sent it to xen1 (its ledger says so), and xen1 has not reported since the
// controller started: no Dom0 heard runs web3. xen2's DRBD holds web3's disk Secondary, cut off
// from xen1, so check says web3 may be down with xen1; `where web3` says it too, not only "STALE".
const AT = Date.UTC(2024, 4, 1, 16, 0, 0);
const MAY = 'web3 may be down with xen1: it runs on no Dom0 that reports, and xen2, heard now, holds r3 Secondary, cut off from xen1, which has not reported since the controller started; if xen1 is down, start it elsewhere only once xen1 is surely off (README, section "A Dom0 died with its own domUs on it")';
const web3: WhereMatch = {
  name: 'web3',
  places: [],
  home: 'xen2',
  homeClaims: ['xen2'],
  away: away('xen2', 'xen1', { since: new Date(AT - 3_600_000).toISOString() }),
  visitor: null,
  autostart: [],
  midMigration: false,
  alerts: [],
  ageMs: 1_000,
  reachable: false,
};
const host = (name: string, o: Partial<HostView>): HostView => hostView(name, { lastSeen: AT - 1_000, ...o });
const hosts = { at: AT, startedAt: AT - 600_000, hosts: [host('xen1', { reachable: false, linkUp: false, lastSeen: null, ageMs: null, reported: false, mayBeDown: { domus: ['web3'], text: MAY } }), host('xen2', {})] };
const routes = (matches: WhereMatch[]): Record<string, string> => {
  const answer: WhereAnswer = { at: AT, pattern: 'web3', matches, unreported: ['xen1'] };
  return { '/where': JSON.stringify(answer), '/hosts': JSON.stringify(hosts) };
};

describe('where, a domU running nowhere that may be down with a Dom0 not heard since the controller started', () => {
  it("its line says check's words after the STALE naming xen1", async () => {
    const r = await run(routes([web3]), ['where', 'web3']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^web3 +- +not running .*STALE \(its home's ledger sends it to xen1: enrolled, not heard from since the controller started at /m);
    expect(r.stdout.trimEnd().endsWith(`  ${MAY}`)).toBe(true);
  });

  it('-q: no Dom0 to print, and the refusal says the same words', async () => {
    const r = await run(routes([web3]), ['where', '-q', 'web3']);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe(`xenherdctl: XH_ERR_NOT_FOUND: web3 runs on no host; xen1 has not reported since the controller started: what runs there is missing from this answer; ${MAY}\n`);
  });

  it('a domU it does not name gets no such words', async () => {
    const r = await run(routes([{ ...web3, name: 'web4' }]), ['where', 'web4']);
    expect(r.stdout).not.toContain('may be down');
  });
});
