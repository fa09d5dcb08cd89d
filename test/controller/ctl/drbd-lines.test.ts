import { describe, expect, it } from 'vitest';
import { drbdJson, drbdTable, mergeDrbd } from '../../../controller/ctl/drbd-lines.js';
import type { DrbdAnswer, DrbdPeerView, DrbdResourceView, DrbdSide } from '../../../shared/protocol/ctl-drbd.js';

const peer = (name: string, connection: string | null, replication: string | null = null): DrbdPeerView => ({ name, role: 'Secondary', connection, disk: 'UpToDate', replication });
const side = (host: string, peers: DrbdPeerView[], o: Partial<DrbdSide> = {}): DrbdSide => ({ host, reported: true, role: 'Primary', disk: 'UpToDate', peers, reachable: true, ageMs: 0, inFleet: true, ...o });
const resource = (name: string, sides: DrbdSide[], o: Partial<DrbdResourceView> = {}): DrbdResourceView => ({ name, domus: [], sides, flags: [], ok: true, ...o });
const answer = (resources: DrbdResourceView[], pattern: string | null = null, at = 5): DrbdAnswer => ({ at, pattern, resources });

describe("xenherdctl drbd's lines: each side's words as its own DRBD prints them", () => {
  it('DRBD 8.4 says WFConnection and SyncSource; DRBD 9 Connecting and Connected/SyncSource; several peers, down, unreported and stale sides', () => {
    const text = drbdTable([
      resource('a84', [side('xen1', [peer('peer', 'Connecting')]), side('xen2', [peer('peer', 'Connected', 'SyncTarget')], { role: 'Secondary', disk: 'Inconsistent' })], { ok: false, domus: ['db1', 'db2'], flags: [{ kind: 'syncing', text: 'resync' }, { kind: 'x', text: 'more' }] }),
      resource('b9', [side('xen3', [peer('xen4', 'Connecting'), peer('xen5', 'Connected', 'SyncSource')]), side('xen4', [], { reported: false, role: null, disk: null }), side('xen5', [peer('xen3', 'Connected', 'SyncTarget')], { reachable: false, ageMs: 95_000 })], { ok: false }),
      resource('c', [side('xen6', [], { role: null, disk: null }), side('xen7', [])], { ok: false }),
    ]);
    // columns two spaces apart, the widest cell setting each column's width
    expect(text.split('\n').map((l) => l.split(/ {2,}/))).toEqual([
      ['RESOURCE', 'DOMU', 'SIDES', 'CONNECTION', 'FLAGS'],
      ['a84', 'db1,db2', 'xen1 Primary/UpToDate, xen2 Secondary/Inconsistent', 'xen1 WFConnection, xen2 SyncTarget', 'resync; more'],
      // the stale side's connection marked as its side is: a powered-off Dom0's last "Connected" read as a link up
      ['b9', '-', 'xen3 Primary/UpToDate, xen4 -, xen5 Primary/UpToDate (stale)', 'xen3 (xen4 Connecting, xen5 Connected/SyncSource), xen5 Connected/SyncTarget (stale)', '-'],
      ['c', '-', 'xen6 down, xen7 Primary/UpToDate', 'xen7 StandAlone', '-'],
      [''],
    ]);
  });

  it('several answers read as one: each resource once, sorted as people number names; --json keeps one answer as sent', () => {
    const r10 = resource('r10', [side('xen1', [])]);
    const r2 = resource('r2', [side('xen1', [])]);
    const asked = [
      { pattern: 'r1*', answer: answer([r10], 'r1*', 7) },
      { pattern: 'r*', answer: answer([r2, r10], 'r*', 9) },
      { pattern: 'zz', answer: answer([], 'zz') },
    ];
    expect(mergeDrbd(asked)).toEqual({ resources: [r2, r10], unmatched: ['zz'] });
    expect(drbdJson(asked)).toEqual({ at: 9, patterns: ['r1*', 'r*', 'zz'], resources: [r2, r10], unmatched: ['zz'] });
    expect(drbdJson([{ pattern: null, answer: answer([r2]) }])).toEqual(answer([r2]));
  });
});
