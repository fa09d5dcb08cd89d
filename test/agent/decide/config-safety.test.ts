import { describe, expect, it } from 'vitest';
import { decideAll, forceVerdict } from '../../../agent/decide/autostart-all.js';
import { configUnsafe, type ConfigPlace, type Ownership } from '../../../agent/decide/config-safety.js';
import type { HostSnapshot } from '../../../agent/state/snapshot.js';

// A domU config is code run as root (bootloader=, device_model_override=, a vif or disk script=):
// whoever can change it, or add one to the guarded dir, owns the Dom0 at the next autostart.
const FILE = '/etc/xen/drbd-auto/evil.cfg';
const file = (mode: number, uid = 0): Ownership => ({ mode: 0o100000 | mode, uid });
const dir = (mode: number, uid = 0): Ownership => ({ mode: 0o040000 | mode, uid });
const place = (f: Ownership | null, guardedDir: Ownership | null = dir(0o755), above: Ownership | null = dir(0o755), ownUid = 0): ConfigPlace => ({
  file: { path: FILE, st: f },
  dirs: [
    { path: '/etc/xen/drbd-auto', st: guardedDir },
    { path: '/etc/xen', st: above },
    { path: '/etc', st: dir(0o755) },
    { path: '/', st: dir(0o755) },
  ],
  ownUid,
});

describe('configUnsafe: who can change a guarded config', () => {
  it('passes a config only root can change: 0644 or 0600 in 0755 dirs', () => {
    expect(configUnsafe(place(file(0o644)))).toBeNull();
    expect(configUnsafe(place(file(0o600), dir(0o700)))).toBeNull();
    expect(configUnsafe(place(file(0o444)))).toBeNull();
  });

  it('refuses a config group or others can write, naming the file, its mode and the fix', () => {
    expect(configUnsafe(place(file(0o666)))).toBe(
      `config ${FILE}: it is writable by others (mode 0666): a domU config runs as root on this Dom0 (bootloader, device_model_override, a disk or vif script), ` +
        `so whoever can change it owns this Dom0; it is not started: check it, then run chmod go-w ${FILE}`,
    );
    expect(configUnsafe(place(file(0o664)))).toContain('it is writable by its group (mode 0664)');
  });

  it('refuses a config not owned by root or the agent\'s own user', () => {
    expect(configUnsafe(place(file(0o644, 1000)))).toContain(`it is owned by uid 1000, not root`);
    expect(configUnsafe(place(file(0o644, 1000)))).toContain(`run chown root ${FILE}`);
    // the agent's own user (a test's, or an agent run unprivileged) is as good as root
    expect(configUnsafe(place(file(0o644, 1000), dir(0o755, 1000), dir(0o755), 1000))).toBeNull();
  });

  it('refuses every config of a guarded dir others can write, sticky or not: anyone can add a file', () => {
    const w = configUnsafe(place(file(0o644), dir(0o1777)));
    expect(w).toContain('its dir /etc/xen/drbd-auto is writable by others (mode 01777)');
    expect(w).toContain('chmod go-w /etc/xen/drbd-auto');
    expect(configUnsafe(place(file(0o644), dir(0o775)))).toContain('writable by its group (mode 0775)');
    expect(configUnsafe(place(file(0o644), dir(0o755, 1000)))).toContain('its dir /etc/xen/drbd-auto is owned by uid 1000, not root');
  });

  it('names every problem, file first, with every fix', () => {
    expect(configUnsafe(place(file(0o666), dir(0o1777)))).toContain(
      `config ${FILE}: it is writable by others (mode 0666), and its dir /etc/xen/drbd-auto is writable by others (mode 01777): `,
    );
    expect(configUnsafe(place(file(0o666), dir(0o1777)))).toContain(`run chmod go-w ${FILE} and chmod go-w /etc/xen/drbd-auto`);
  });

  it('refuses a dir above the guarded dir others can write unless sticky (others cannot rename the guarded dir then)', () => {
    expect(configUnsafe(place(file(0o644), dir(0o755), dir(0o777)))).toContain('/etc/xen, a dir above it, is writable by others (mode 0777)');
    expect(configUnsafe(place(file(0o644), dir(0o755), dir(0o1777)))).toBeNull();
    expect(configUnsafe(place(file(0o644), dir(0o755), dir(0o755, 1000)))).toContain('/etc/xen, a dir above it, is owned by uid 1000, not root');
  });

  it('refuses what cannot be examined', () => {
    expect(configUnsafe(place(null))).toContain(`config ${FILE}: it cannot be examined`);
    expect(configUnsafe(place(file(0o644), null))).toContain('its dir /etc/xen/drbd-auto cannot be examined');
  });
});

// the snapshot carries the modes and owners as read; the decision judges them
const snap = (p: ConfigPlace): HostSnapshot => ({
  host: 'xen1',
  domains: [],
  guarded: [{ name: 'evil', configPath: FILE, drbdResources: [], error: null, place: p }],
  maintenance: false,
  awayTo: new Map(),
  fleetRunningOn: null,
  handledThisBoot: new Set(),
  drbd: { availability: 'ok', resources: new Map() },
});

describe('the autostart decision for a config others can change', () => {
  const bad = place(file(0o666), dir(0o1777));
  const why = configUnsafe(bad);

  it('is a defer of its own (config-unsafe), not a start, saying why', () => {
    expect(decideAll(snap(place(file(0o644)))).get('evil')?.kind).toBe('start');
    expect(decideAll(snap(bad)).get('evil')).toEqual({ kind: 'defer', reason: 'config-unsafe', detail: why });
  });

  it('comes before the other rules, as an unreadable config does', () => {
    expect(decideAll({ ...snap(bad), ledgerProblem: 'bad JSON' }).get('evil')).toMatchObject({ reason: 'config-unsafe' });
    expect(decideAll({ ...snap(bad), domains: null }).get('evil')).toMatchObject({ reason: 'config-unsafe' });
  });

  it('is not overridden by --force', () => {
    const v = forceVerdict(decideAll(snap(bad)).get('evil'));
    expect(v.allowed).toBe(false);
    expect(v).toMatchObject({ why: expect.stringContaining(`refused: ${why}. --force does not override config-unsafe`) as unknown });
  });
});
