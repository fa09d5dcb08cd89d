import { describe, expect, it } from 'vitest';
import type { HostView } from '../../../shared/protocol/ctl-api.js';
import { ctlFor, impostor } from './ctl-bed.js';
import { hostView } from './host-view.js';

// On a standby, a Dom0 whose agent went back to the primary is asked there: status lists it apart
// from the Dom0s it cannot hear (what runs there not known, CRITICAL for check), as check does.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const AT = Date.UTC(2024, 4, 1, 16, 0, 0);
const host = (name: string, o: Partial<HostView>): HostView => hostView(name, { lastSeen: AT, domains: 1, ...o });
const hosts = [
  host('xen1', { reachable: false, linkUp: false, domains: 0, reportsElsewhereSince: Date.UTC(2024, 4, 1, 15, 57, 15) }),
  host('xen2', {}),
  host('xen3', { reachable: false, linkUp: false, ageMs: 120_000, lastDomains: [{ name: 'db1', state: 'blocked' }] }),
];
const summary = { hosts: 3, reachable: 1, domus: 1, domusUnreachable: 1, midMigration: 0, inMaintenance: 0, alerts: 0 };

describe('status on a standby with a Dom0 reporting to the primary', () => {
  it.each([
    ['this controller', { ...summary, unreachable: 1, reportsElsewhere: 1 }],
    ['a controller older than reportsElsewhere, which counted it unreachable', { ...summary, unreachable: 2 }],
  ])('%s: its own block and count, not UNREACHABLE', async (_who, s) => {
    const url = await impostor(JSON.stringify({ at: AT, alerts: [], summary: s, hosts }));
    const r = await ctlFor(null)(['status'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.slice(0, r.stdout.indexOf('\n\n'))).toBe(
      [
        'no alerts, but 1 Dom0 unreachable and 1 reporting to another controller (below)',
        'UNREACHABLE (1): what runs there is not known',
        '  xen3  agent link down, last seen 2 min ago, 1 domain(s) as last reported: db1 (blocked)',
        'REPORTS ELSEWHERE (1): ask the primary controller what runs there',
        '  xen1  reports to another controller since 15:57:15 UTC',
        "fleet: 3 hosts (1 reachable, 1 unreachable, 1 reporting to another controller), 1 domU running (1 more only in unreachable hosts' last reports), 0 migrating, 0 hosts not online",
      ].join('\n'),
    );
  });
});

describe('status with the agents on more than one build (halfway through an upgrade)', () => {
  it('says each build and how many Dom0s run it, naming the few; one build says nothing', async () => {
    const NEW = '0.1.0+20261205.223919';
    const OLD = '0.1.0+20261128.101500';
    const fleet = ['xen1', 'xen2', 'xen3', 'xen4', 'xen5', 'xen6', 'xen7'].map((n, i) => host(n, { agentVersion: i === 2 || i === 5 ? OLD : NEW }));
    const s = { ...summary, hosts: 7, reachable: 7, unreachable: 0, domus: 7, domusUnreachable: 0 };
    const mixed = await impostor(JSON.stringify({ at: AT, alerts: [], summary: s, hosts: [...fleet, host('xen8', { agentVersion: null, reported: false })] }));
    const r = await ctlFor(null)(['status'], { XENHERD_URL: mixed, XENHERD_TOKEN: TOKEN });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['no alerts', `agents: 2 builds: ${NEW} (newest) on 5 Dom0s; ${OLD} on 2 Dom0s (xen3, xen6) (xenherdctl hosts: AGENT)`]);
    const same = await impostor(JSON.stringify({ at: AT, alerts: [], summary: s, hosts: fleet.map((h) => ({ ...h, agentVersion: NEW })) }));
    const one = await ctlFor(null)(['status'], { XENHERD_URL: same, XENHERD_TOKEN: TOKEN });
    expect(one.stdout).not.toContain('agents:');
  });

  it('marks the newest build, also when fewer Dom0s run it: a build from before the version carried its date (0.1.0 alone) is older than any dated one', async () => {
    const NEW = '0.1.0+20261205.223919';
    const s = { ...summary, hosts: 3, reachable: 3, unreachable: 0, domus: 3, domusUnreachable: 0 };
    const started = await impostor(JSON.stringify({ at: AT, alerts: [], summary: s, hosts: ['xen1', 'xen2', 'xen3'].map((n) => host(n, { agentVersion: n === 'xen1' ? NEW : '0.1.0' })) }));
    const r = await ctlFor(null)(['status'], { XENHERD_URL: started, XENHERD_TOKEN: TOKEN });
    expect(r.stdout.split('\n')[1]).toBe(`agents: 2 builds: 0.1.0 on 2 Dom0s; ${NEW} (newest) on 1 Dom0 (xen1) (xenherdctl hosts: AGENT)`);
    // a build of no release number is weighed against none: nothing is marked
    const odd = await impostor(JSON.stringify({ at: AT, alerts: [], summary: s, hosts: ['xen1', 'xen2', 'xen3'].map((n) => host(n, { agentVersion: n === 'xen1' ? NEW : 'custom' })) }));
    const o = await ctlFor(null)(['status'], { XENHERD_URL: odd, XENHERD_TOKEN: TOKEN });
    expect(o.stdout.split('\n')[1]).toBe(`agents: 2 builds: custom on 2 Dom0s; ${NEW} on 1 Dom0 (xen1) (xenherdctl hosts: AGENT)`);
  });
});

describe('status with a guest crashed, its domain kept', () => {
  it('counts it apart as crashed, not among the running; an older controller, which counted it running, says nothing of it', async () => {
    const s = { hosts: 1, reachable: 1, unreachable: 0, domus: 2, domusUnreachable: 0, midMigration: 0, inMaintenance: 0, alerts: 0 };
    const line = async (summary: object): Promise<string | undefined> => {
      const url = await impostor(JSON.stringify({ at: AT, alerts: [], summary, hosts: [host('xen2', { domains: 3 })] }));
      const r = await ctlFor(null)(['status'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect([r.code, r.stderr]).toEqual([0, '']);
      return r.stdout.split('\n').find((l) => l.startsWith('fleet: '));
    };
    expect(await line({ ...s, crashed: 1 })).toBe('fleet: 1 host (1 reachable, 0 unreachable), 2 domUs running, 1 crashed, 0 migrating, 0 hosts not online');
    expect(await line(s)).toBe('fleet: 1 host (1 reachable, 0 unreachable), 2 domUs running, 0 migrating, 0 hosts not online');
  });
});

describe('status with a guarded domU gone with nobody of the fleet asking', () => {
  it('counts it as guarded down beside the running; none, or an older controller, says nothing of it', async () => {
    const s = { hosts: 2, reachable: 2, unreachable: 0, domus: 1, domusUnreachable: 0, midMigration: 0, inMaintenance: 0, alerts: 0 };
    const line = async (summary: object): Promise<string | undefined> => {
      const url = await impostor(JSON.stringify({ at: AT, alerts: [], summary, hosts: [host('xen2', { domains: 1 })] }));
      const r = await ctlFor(null)(['status'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect([r.code, r.stderr]).toEqual([0, '']);
      return r.stdout.split('\n').find((l) => l.startsWith('fleet: '));
    };
    expect(await line({ ...s, down: 1 })).toBe('fleet: 2 hosts (2 reachable, 0 unreachable), 1 domU running, 1 guarded down, 0 migrating, 0 hosts not online');
    expect(await line({ ...s, down: 0 })).toBe('fleet: 2 hosts (2 reachable, 0 unreachable), 1 domU running, 0 migrating, 0 hosts not online');
    expect(await line(s)).toBe('fleet: 2 hosts (2 reachable, 0 unreachable), 1 domU running, 0 migrating, 0 hosts not online');
  });
});

describe('status with domUs its DRBD partners say may be down with Dom0s not heard since the controller started', () => {
  it("counts them beside the running, with an unreachable Dom0's last reports in the same parentheses", async () => {
    const unheard = (name: string, domus: string[]): HostView => host(name, { reachable: false, linkUp: false, lastSeen: null, ageMs: null, reported: false, domains: 0, mayBeDown: { domus, text: `${domus.join(' and ')} may be down with ${name}` } });
    const s = { hosts: 4, reachable: 1, unreachable: 3, domus: 1, midMigration: 0, inMaintenance: 0, alerts: 0 };
    const line = async (domusUnreachable: number): Promise<string | undefined> => {
      const url = await impostor(JSON.stringify({ at: AT, alerts: [], summary: { ...s, domusUnreachable }, hosts: [host('xen2', {}), hosts[2], unheard('xen5', ['web1', 'web2']), unheard('xen7', ['web2', 'web3'])] }));
      const r = await ctlFor(null)(['status'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect([r.code, r.stderr]).toEqual([0, '']);
      return r.stdout.split('\n').find((l) => l.startsWith('fleet: '));
    };
    // web2 on resources cut from both is one domU
    expect(await line(0)).toBe('fleet: 4 hosts (1 reachable, 3 unreachable), 1 domU running (3 more may be down with xen5 and xen7), 0 migrating, 0 hosts not online');
    expect(await line(1)).toBe("fleet: 4 hosts (1 reachable, 3 unreachable), 1 domU running (1 more only in unreachable hosts' last reports, 3 may be down with xen5 and xen7), 0 migrating, 0 hosts not online");
  });
});
