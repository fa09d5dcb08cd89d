import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { parseDrbdCstate, parseDrbdRole } from '../../../agent/parse/drbd-role.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { parseProcDrbd } from '../../../agent/parse/proc-drbd.js';
import { parseXenstoreWatchLine } from '../../../agent/parse/xenstore-watch.js';
import { parseXlInfo } from '../../../agent/parse/xl-info.js';
import { parseXlList } from '../../../agent/parse/xl-list.js';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { emptyDrbdState, reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { readFixture } from '../../fixture.js';

// What the real Xen 4.17.7 / DRBD 8.4.11 lab printed, read with the exact values the agent relies on.

const out = (rel: string): string => readFixture(`real-xen-4.17/${rel}.stdout`).body;
const err = (rel: string): string => readFixture(`real-xen-4.17/${rel}.stderr`).body;
const rc = (rel: string): number => Number(readFixture(`real-xen-4.17/${rel}.rc`).body.trim());
const value = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('xl on Xen 4.17.7', () => {
  it('lists the running guest', () => {
    expect(value(parseXlList(out('09-guest-running-on-a/dom0a.xl-list')))).toMatchObject([
      { name: 'Domain-0', domid: 0, memMiB: 512, vcpus: 1, state: 'running' },
      { name: 'tiny', domid: 1, memMiB: 128, vcpus: 1, stateLetters: '-b----', state: 'blocked', migration: null },
    ]);
  });
  it('lists a paused guest', () => {
    expect(value(parseXlList(out('10-guest-paused/dom0a.xl-list')))[1]).toMatchObject({ name: 'tiny', state: 'paused', stateLetters: '--p---' });
  });
  it('lists the incoming copy on the target: paused, Mem 0, VCPUs 0', () => {
    expect(value(parseXlList(out('11-migrating-a-to-b/dom0b.during-migration-attempt1.xl-list.incoming')))[1]).toMatchObject({
      name: 'tiny--incoming',
      baseName: 'tiny',
      migration: 'incoming',
      memMiB: 0,
      vcpus: 0,
      state: 'paused',
    });
  });
  it('lists the source copy as migrated away: paused and suspended (--pss-)', () => {
    expect(value(parseXlList(out('11-migrating-a-to-b/dom0a.during-migration-attempt1.xl-list.migratedaway')))[1]).toMatchObject({
      name: 'tiny--migratedaway',
      baseName: 'tiny',
      migration: 'migratedaway',
      stateLetters: '--pss-',
      shutdownReason: 'suspend',
    });
  });
  it('reads xl info: version, memory, cpus', () => {
    expect(value(parseXlInfo(out('09-guest-running-on-a/dom0a.xl-info')))).toMatchObject({ host: 'dom0a', xenMajor: 4, xenMinor: 17, nrCpus: 1 });
  });
  it('classifies the real migration transcripts', () => {
    const s = '11-migrating-a-to-b/dom0a.xl-migrate-tiny-dom0b.attempt1';
    expect(classifyXlMigrate(err(s), rc(s))).toMatchObject({ kind: 'success', domainAt: 'target' });
    const q = '13-quick-remigration-b-to-a/dom0b.xl-migrate-tiny-dom0a';
    expect(classifyXlMigrate(err(q), rc(q))).toMatchObject({ kind: 'resumed-at-sender', domainAt: 'source' });
    const pv = '15-pv-guest-xenstore-watch/dom0a.xl-migrate-tinypv-dom0b';
    expect(classifyXlMigrate(err(pv), rc(pv))).toMatchObject({ kind: 'failed-to-suspend', domainAt: 'source' });
  });
  it('reads xenstore-watch events while a domain is created and destroyed', () => {
    const lines = out('15-pv-guest-xenstore-watch/dom0a.xenstore-watch').split('\n').filter((l) => l !== '');
    const kinds = lines.map((l, i) => value(parseXenstoreWatchLine(l, i + 1)).kind);
    expect(kinds).toContain('introduceDomain');
    expect(kinds).toContain('releaseDomain');
  });
});

describe('DRBD 8.4.11 with drbd-utils 9.22', () => {
  it('connected, both Secondary', () => {
    const view = resourceViewFromStatus(value(parseDrbdStatus(out('06-connected-secondary/dom0a.drbdadm-status-r0')))[0]!);
    expect(view).toMatchObject({ role: 'Secondary', peerRole: 'Secondary', connection: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate' });
    expect(value(parseDrbdRole(out('06-connected-secondary/dom0a.drbdadm-role-r0')))).toMatchObject([{ local: 'Secondary', peer: 'Secondary' }]);
  });
  it('the guest runs on dom0a: dom0b sees its peer Primary', () => {
    const view = resourceViewFromStatus(value(parseDrbdStatus(out('09-guest-running-on-a/dom0b.drbdadm-status-r0')))[0]!);
    expect(view).toMatchObject({ role: 'Secondary', peerRole: 'Primary', connection: 'Connected' });
  });
  it('peer down: Connecting in status, WFConnection in cstate, peer role Unknown', () => {
    const view = resourceViewFromStatus(value(parseDrbdStatus(out('16-peer-down/dom0a.drbdadm-status-r0')))[0]!);
    expect(view).toMatchObject({ role: 'Secondary', peerRole: 'Unknown', connection: 'Connecting', disk: 'UpToDate' });
    expect(value(parseDrbdCstate(out('16-peer-down/dom0a.drbdadm-cstate-r0')))).toMatchObject([{ kind: 'cstate', state: 'WFConnection' }]);
    expect(value(parseDrbdRole(out('16-peer-down/dom0a.drbdadm-role-r0')))).toMatchObject([{ local: 'Secondary', peer: 'Unknown' }]);
  });
  it('split brain: StandAlone, and status prints no peer at all', () => {
    const view = resourceViewFromStatus(value(parseDrbdStatus(out('20-split-brain-standalone/dom0a.drbdadm-status-r0')))[0]!);
    expect(view.peers).toEqual([]);
    expect(value(parseDrbdCstate(out('20-split-brain-standalone/dom0a.drbdadm-cstate-r0')))).toMatchObject([{ kind: 'cstate', state: 'StandAlone' }]);
  });
  it('resync: SyncSource and SyncTarget with done %', () => {
    const a = resourceViewFromStatus(value(parseDrbdStatus(out('22-resync/dom0a.drbdadm-status-r0')))[0]!);
    const b = resourceViewFromStatus(value(parseDrbdStatus(out('22-resync/dom0b.drbdadm-status-r0')))[0]!);
    expect(a.peers[0]).toMatchObject({ replication: 'SyncSource', disk: 'Inconsistent', syncedPercent: 3.81 });
    expect(b).toMatchObject({ disk: 'Inconsistent' });
    expect(b.peers[0]).toMatchObject({ replication: 'SyncTarget', syncedPercent: 6.82 });
  });
  it('/proc/drbd and events2 --now agree with status', () => {
    const proc = value(parseProcDrbd(out('06-connected-secondary/dom0a.cat-proc-drbd')));
    expect(proc.version.version).toBe('8.4.11');
    expect(proc.minors[0]).toMatchObject({ minor: 0, cs: 'Connected', role: 'Secondary', peerRole: 'Secondary', disk: 'UpToDate', peerDisk: 'UpToDate' });
    const state = reduceDrbdAll(value(parseEvents2(out('06-connected-secondary/dom0a.drbdsetup-events2-now'))), emptyDrbdState);
    expect(state.initialDone).toBe(true);
    expect(state.resources.get('r0')?.role).toBe('Secondary');
  });
});
