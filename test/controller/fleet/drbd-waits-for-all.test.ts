import { describe, expect, it } from 'vitest';
import { longOutput } from '../../../controller/ctl/check-long-output.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { checkAt } from './check-bed.js';
import { dom, guarded, hostState, record } from '../states.js';

// r1 and r2 have three nodes (DRBD 9), xen1, xen2 and xen3, each holding a disk; web1 and web2
// run on xen2, Primary there. xen1 and xen3, both Secondary when last heard, are gone (95 s and
// 60 s): xen2 is cut off from both on each resource. Nothing is down with either (xen2 writes
// both), so each line only waits for the two of them. The reports are written by hand in the
// link's shape, no tool captured.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
type Peer = LinkDrbdResource['peers'][number];
const cut = (name: string): Peer => ({ name, role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null });
const linked = (name: string, role: 'Primary' | 'Secondary' = 'Secondary'): Peer => ({ name, role, connection: 'Connected', disk: 'UpToDate', replication: 'Established' });
const NAMES = ['r1', 'r2'];
const configs = NAMES.map((r, k) => ({ name: `web${k + 1}`, source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: r, hosts: ['xen1', 'xen2', 'xen3'] }] }));
const at = (host: string, res: (name: string) => LinkDrbdResource, lastSeen: number, running = false): HostRecord =>
  record(
    host,
    hostState({ domains: running ? configs.map((c) => dom(c.name)) : [], guarded: configs.map((c) => guarded(c.name, [c.resources[0]?.name ?? ''])), domus: configs, drbd: { availability: 'ok', resources: NAMES.map(res) } }),
    lastSeen,
    lastSeen === NOW,
  );
const records = [
  at('xen1', (name) => ({ name, role: 'Secondary', disk: 'UpToDate', peers: [linked('xen2', 'Primary'), linked('xen3')] }), NOW - 95_000),
  at('xen2', (name) => ({ name, role: 'Primary', disk: 'UpToDate', peers: [cut('xen1'), cut('xen3')] }), NOW, true),
  at('xen3', (name) => ({ name, role: 'Secondary', disk: 'UpToDate', peers: [linked('xen1'), linked('xen2', 'Primary')] }), NOW - 60_000),
];
const check = checkAt(fresh);

describe('DRBD 9: lines that only wait for two unheard Dom0s, no words for either', () => {
  it('check sends the two Dom0s each waits for, and xenherdctl folds them into one line naming both', () => {
    const answer = check(records);
    const drbd = answer.details.filter((d) => d.kind === 'drbd-degraded');
    expect(drbd.map((d) => [d.subject, d.waitsFor, d.waitsForAll])).toEqual([
      ['r1 on xen2', undefined, ['xen1', 'xen3']],
      ['r2 on xen2', undefined, ['xen1', 'xen3']],
    ]);
    expect(longOutput(drbd, 100, (status, text) => `${status}: ${text}`)).toEqual([
      'WARNING: 2 DRBD resources degraded, waiting for xen1 and xen3, unreachable: r1 on xen2, r2 on xen2; they clear once xen1 and xen3 are back (xenherdctl check --json lists them)',
    ]);
  });

  it('xen1 heard again: no line waits for both', () => {
    const back = [at('xen1', (name) => ({ name, role: 'Secondary', disk: 'UpToDate', peers: [cut('xen2'), cut('xen3')] }), NOW), ...records.slice(1)];
    const drbd = check(back).details.filter((d) => d.kind === 'drbd-degraded' && d.waitsForAll !== undefined);
    expect(drbd).toEqual([]);
  });
});
