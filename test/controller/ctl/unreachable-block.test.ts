import { describe, expect, it } from 'vitest';
import { hostView } from './host-view.js';
import { alertsBlock, elsewhereBlock, hostsTable, unreachableBlock } from '../../../controller/ctl/render-hosts.js';
import type { HostView } from '../../../shared/protocol/ctl-api.js';

const dead = (o: Partial<HostView>): HostView => hostView('xen1', { reachable: false, linkUp: false, ageMs: 120_000, memory: { totalMiB: null, freeMiB: null }, domains: 12, homes: 2, ...o });

describe("status on a Dom0 it cannot hear", () => {
  it('names the domains it last reported, and how many more there were past the first ten', () => {
    const named = Array.from({ length: 10 }, (_, i) => ({ name: `vm${i}`, state: i === 0 ? 'paused' : 'blocked' }));
    const line = unreachableBlock([dead({ lastDomains: named })]).split('\n')[1];
    expect(line).toMatch(/^ {2}xen1 {2}agent link down, last seen .* ago, 12 domain\(s\) as last reported: vm0 \(paused\), vm1 \(blocked\), .*, vm9 \(blocked\), and 2 more$/);
  });

  it('a Dom0 not heard since the controller started is said so, not "never heard from": after a restart, every agent is so until it dials again', () => {
    expect(unreachableBlock([dead({ lastSeen: null, ageMs: null, reported: false, domains: 0 })]).split('\n')[1]).toBe('  xen1  agent link down, not heard from since the controller started');
  });

  it('an agent that said it is stopping is named so, with when it stopped, in status and hosts', () => {
    const stopped = dead({ domains: 3, ageMs: 4_000, agentStoppedAt: Date.UTC(2024, 4, 1, 15, 57, 15) });
    expect(unreachableBlock([stopped]).split('\n')[1]).toBe('  xen1  agent stopped cleanly at 15:57:15 UTC (restarting? upgrading?), last seen 4.0 s ago, 3 domain(s) as last reported');
    expect(hostsTable([stopped]).split('\n')[1]).toMatch(/^xen1 +stopped \(restarting\?\) +4\.0 s ago /);
    expect(hostsTable([dead({})]).split('\n')[1]).toMatch(/^xen1 +unreachable +/);
  });

  it('an agent gone back to the primary controller is in a block of its own, not UNREACHABLE, with since when', () => {
    const elsewhere = dead({ host: 'xen2', domains: 0, ageMs: 4_000, reportsElsewhereSince: Date.UTC(2024, 4, 1, 15, 57, 15) });
    expect(unreachableBlock([elsewhere])).toBe('');
    expect(elsewhereBlock([dead({}), elsewhere])).toBe('REPORTS ELSEWHERE (1): ask the primary controller what runs there\n  xen2  reports to another controller since 15:57:15 UTC\n');
    expect(unreachableBlock([dead({}), elsewhere])).toMatch(/^UNREACHABLE \(1\): what runs there is not known\n {2}xen1 {2}agent link down/);
    expect(elsewhereBlock([dead({})])).toBe('');
    expect(hostsTable([elsewhere]).split('\n')[1]).toMatch(/^xen2 +other controller +4\.0 s ago /);
    expect(alertsBlock([], 0, 0, 2)).toBe('no alerts, but 2 reporting to another controller (below)\n');
    expect(alertsBlock([], 0, 1, 1)).toBe('no alerts, but 1 Dom0 unreachable and 1 reporting to another controller (below)\n');
  });

  it("a migration's halves among the last domains are the domU's move, as hosts and domains name them", () => {
    const moving = dead({
      domains: 3,
      halves: 2,
      lastDomains: [
        { name: 'db1', state: 'blocked' },
        { name: 'migrating-web2', state: 'paused', half: { domu: 'web2', migration: 'migratedaway', other: null } },
        { name: 'web1--incoming', state: 'paused', half: { domu: 'web1', migration: 'incoming', other: 'xen3' } },
      ],
    });
    expect(unreachableBlock([moving]).split('\n')[1]).toBe(
      "  xen1  agent link down, last seen 2 min ago, 1 domain(s) (+2 migration halves) as last reported: db1 (blocked), web2 (a migration's sending half, paused), web1 (migration from xen3, paused)",
    );
  });

  it("an older controller's answer without the names: the count alone, as before", () => {
    expect(unreachableBlock([dead({ domains: 3 })]).split('\n')[1]).toMatch(/, 3 domain\(s\) as last reported$/);
  });

  it('with no alert, the first line says how many Dom0s are unreachable', () => {
    expect(alertsBlock([], 0, 2)).toBe('no alerts, but 2 Dom0s unreachable (below)\n');
    expect(alertsBlock([], 0, 0)).toBe('no alerts\n');
  });

  it('with no alert, the first line counts what the CHECK line under it stands for, by status', () => {
    const warn = (text: string) => ({ status: 'WARNING' as const, text });
    const away = { status: 'WARNING' as const, summary: 'b7 away from xen4', details: [warn('b7 away from xen4')] };
    expect(alertsBlock([], 0, 0, 0, away)).toBe('no alerts; 1 warning (below)\n');
    const worse = { status: 'CRITICAL' as const, summary: 'xen2 unreachable, 2 warnings', details: [{ status: 'CRITICAL' as const, text: 'xen2 unreachable' }, warn('b7 away from xen4'), warn('b8 away from xen4')] };
    expect(alertsBlock([], 0, 1, 0, worse)).toBe('no alerts, but 1 Dom0 unreachable; 1 critical, 2 warnings (below)\n');
    expect(alertsBlock([], 0, 0, 0, { status: 'OK', summary: 'all well', details: [] })).toBe('no alerts\n');
    expect(alertsBlock([], 0, 0, 0, { status: 'WARNING', summary: 'b7 away from xen4', details: [] })).toBe('no alerts; check WARNING (below)\n');
  });
});
