import { describe, expect, it } from 'vitest';
import type { HostView } from '../../../shared/protocol/ctl-api.js';
import { ctlFor, impostor } from './ctl-bed.js';

// On a standby, a Dom0 whose agent went back to the primary is asked there: status lists it apart
// from the Dom0s it cannot hear (what runs there not known, CRITICAL for check), as check does.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const AT = Date.UTC(2024, 4, 1, 16, 0, 0);
const host = (name: string, o: Partial<HostView>): HostView => ({
  host: name,
  reachable: true,
  linkUp: true,
  lastSeen: AT,
  ageMs: 1_000,
  bootId: 'b',
  agentVersion: '1',
  toolstack: 'xl',
  memory: { totalMiB: 8192, freeMiB: 4096 },
  maintenance: { state: 'online', operationId: null, owner: null },
  maintenanceSince: null,
  domains: 1,
  homes: 1,
  reported: true,
  view: 'current',
  ...o,
});
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
