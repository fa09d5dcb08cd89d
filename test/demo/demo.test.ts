import { describe, expect, it } from 'vitest';
import { demoRunner, leftBehind } from './run-demo.js';

const demo = demoRunner();

describe('npm run demo', () => {
  it('tells the fleet story with a controller, three agents and xenherdctl; exits 0 and leaves nothing behind', async () => {
    const r = await demo([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // 1. where
    expect(r.out).toMatch(/\$ xenherdctl hosts\n {4}HOST +STATE[^\n]*\n {4}xen1 +reachable/);
    expect(r.out).toMatch(/\$ xenherdctl where web1\n {4}web1 +xen1 +running +home xen1 +as of \d+\.\d s\n/);
    expect(r.out).toMatch(/\$ xenherdctl where -q web1\n {4}xen1\n/);
    // 2. a migration through the controller, where again, the guest's xenstore
    expect(r.out).toMatch(/\$ xenherdctl migrate web1 xen2\n {4}migrate web1: sent to the agent of xen1[\s\S]*?web1 migrated from xen1 to xen2/);
    expect(r.out).toMatch(/web1 +xen2 +running +home xen1 \(away since \d\d:\d\d, manual\) +as of \d+\.\d s\n/);
    expect(r.out).toContain('`xenstore-read data/xenherd/dom0` now says: xen2');
    // 3. a silent host is stale; after the reboot shop1 is refused, dns1 started
    expect(r.out).toMatch(/dns1 +xen3 +running +home xen3 +as of [\d.]+ s, STALE \(xen3: agent link down, last heard [\d.]+ s ago\)/);
    expect(r.out).toMatch(/\+[\d.]+ s {2}(ERROR )?skipping shop1: the controller sees shop1 running on xen2/);
    expect(r.out).toMatch(/\+[\d.]+ s {2}started dns1/);
    expect(r.out).toMatch(/shop1 +xen2 +running +home xen3/);
    // 4. reverse through the forced command
    expect(r.out).toMatch(/\$ xenherdctl reverse web1\n[\s\S]*?xen2: Migration successful\.[\s\S]*?web1 migrated from xen2 to xen1/);
    expect(r.out).toContain('`xenstore-read data/xenherd/dom0` says: xen1');
    // 5. the alert, listed first
    expect(r.out).toMatch(/\$ xenherdctl status\n {4}ALERTS \(1\)\n {6}home-claimed-twice +web2 /);
    expect(r.out).toContain('Demo finished');
    expect(leftBehind(r.dir)).toEqual({ processes: [], files: [] });
  }, 240_000);

  it('refuses an argument it does not know, with the usage', async () => {
    const r = await demo(['--fleet']);
    expect(r.code).toBe(64);
    expect(r.err).toContain('usage: npm run demo [-- --agent-only]');
  });
});
