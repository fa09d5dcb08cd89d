import { describe, expect, it } from 'vitest';
import { decideAll } from '../../../agent/decide/autostart-all.js';
import type { ConfigPlace, Ownership } from '../../../agent/state/config-place.js';
import type { GuardedEntry, HostSnapshot } from '../../../agent/state/snapshot.js';

// The host adapter only reads who can change each guarded config (modes and owners of the file
// and the dirs up to /); the autostart decision judges those facts. No filesystem here: the
// snapshot is built by hand, as the agent core builds it from what the adapter read.

const GUARDED = '/etc/xen/drbd-auto';
const file = (mode: number, uid = 0): Ownership => ({ mode: 0o100000 | mode, uid });
const dir = (mode: number, uid = 0): Ownership => ({ mode: 0o040000 | mode, uid });
const ROOT_DIRS = { guarded: dir(0o755), xen: dir(0o755), etc: dir(0o755), root: dir(0o755) };
const dirs = (over: Partial<typeof ROOT_DIRS> = {}): ConfigPlace['dirs'] => {
  const d = { ...ROOT_DIRS, ...over };
  return [
    { path: GUARDED, st: d.guarded },
    { path: '/etc/xen', st: d.xen },
    { path: '/etc', st: d.etc },
    { path: '/', st: d.root },
  ];
};
const entry = (name: string, st: Ownership, above: ConfigPlace['dirs'] = dirs()): GuardedEntry => ({
  name,
  configPath: `${GUARDED}/${name}.cfg`,
  drbdResources: [],
  error: null,
  place: { file: { path: `${GUARDED}/${name}.cfg`, st }, dirs: above, ownUid: 0 },
});
const snap = (...guarded: GuardedEntry[]): HostSnapshot => ({
  host: 'xen1',
  domains: [],
  guarded,
  maintenance: false,
  awayTo: new Map(),
  fleetRunningOn: null,
  handledThisBoot: new Set(),
  drbd: { availability: 'ok', resources: new Map() },
});
const WHY = 'a domU config runs as root on this Dom0 (bootloader, device_model_override, a disk or vif script), so whoever can change it owns this Dom0; it is not started';

describe('decideAll over the modes and owners the snapshot carries', () => {
  it('starts a config only root can change: 0644, root-owned, in root-owned 0755 dirs', () => {
    expect(decideAll(snap(entry('safe', file(0o644)))).get('safe')).toMatchObject({ kind: 'start' });
  });

  it('defers a group-writable config as config-unsafe, naming its mode and the fix', () => {
    expect(decideAll(snap(entry('grp', file(0o664)))).get('grp')).toEqual({
      kind: 'defer',
      reason: 'config-unsafe',
      detail: `config ${GUARDED}/grp.cfg: it is writable by its group (mode 0664): ${WHY}: check it, then run chmod go-w ${GUARDED}/grp.cfg`,
    });
  });

  it('defers a config not owned by root (nor the agent\'s user), naming its owner and the fix', () => {
    expect(decideAll(snap(entry('theirs', file(0o644, 1000)))).get('theirs')).toEqual({
      kind: 'defer',
      reason: 'config-unsafe',
      detail: `config ${GUARDED}/theirs.cfg: it is owned by uid 1000, not root: ${WHY}: check it, then run chown root ${GUARDED}/theirs.cfg`,
    });
  });

  it('defers a config under a dir above the guarded dir others can write without the sticky bit; sticky, it starts', () => {
    expect(decideAll(snap(entry('above', file(0o644), dirs({ xen: dir(0o777) })))).get('above')).toEqual({
      kind: 'defer',
      reason: 'config-unsafe',
      detail: `config ${GUARDED}/above.cfg: /etc/xen, a dir above it, is writable by others (mode 0777): ${WHY}: check it, then run chmod go-w /etc/xen`,
    });
    expect(decideAll(snap(entry('above', file(0o644), dirs({ xen: dir(0o1777) })))).get('above')).toMatchObject({ kind: 'start' });
  });

  it('judges each config of one snapshot on its own facts, the dirs above them shared', () => {
    const shared = dirs();
    const d = decideAll(snap(entry('ok1', file(0o600), shared), entry('evil', file(0o666), shared), entry('ok2', file(0o444), shared)));
    expect([...d].map(([name, x]) => [name, x.kind, 'reason' in x ? x.reason : null])).toEqual([
      ['ok1', 'start', null],
      ['evil', 'defer', 'config-unsafe'],
      ['ok2', 'start', null],
    ]);
  });
});
