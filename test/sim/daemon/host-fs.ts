import { mkdirSync, rmSync, writeFileSync, existsSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import type { StateDiskStandIn } from '../../../agent/adapters/state-disk-stand-in.js';
import { dirname, join } from 'node:path';
import { drbdViewFor, sameDrbdView, type HostDrbdView } from '../model/drbd-view.js';
import { hostAddress } from '../model/host-address.js';
import { simRootKnownHosts } from '../model/host-keys.js';
import type { SimState } from '../model/types.js';
import { renderDomuConfig, renderDrbdRes, renderMigrateTab } from '../render/host-files.js';
import { renderProcDrbd, renderProcDrbd9 } from '../render/proc-drbd.js';

/**
 * Each simulated host has a root dir (<simdir>/hosts/<name>/) holding what the agent reads from
 * files. The agent takes XENHERD_HOST_ROOT as a prefix for every host path.
 */
export const hostRoot = (simDir: string, host: string): string => join(simDir, 'hosts', host);

export function hostPath(simDir: string, host: string, path: string): string {
  return join(hostRoot(simDir, host), path.replace(/^\/+/, ''));
}

// as a package and an operator would leave them: the agent starts no domU config others can
// change (agent/decide/config-safety.ts), and a test run under umask 0 must not change that
const write = (p: string, text: string): void => {
  mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
  writeFileSync(p, text, { mode: 0o644 });
};

export function initHostFiles(simDir: string, s: SimState): void {
  for (const h of Object.keys(s.hosts)) {
    mkdirSync(hostPath(simDir, h, '/etc/xen/drbd-auto'), { recursive: true, mode: 0o755 });
    mkdirSync(hostPath(simDir, h, '/etc/drbd.d'), { recursive: true });
    mkdirSync(hostPath(simDir, h, '/proc'), { recursive: true });
    // as a package would create it: the agent refuses a state dir others can read
    mkdirSync(hostPath(simDir, h, '/var/lib/xenherd'), { recursive: true, mode: 0o700 });
    // root's ssh (xl migrate's) knows each peer's key, so the preflight's check of it passes
    mkdirSync(hostPath(simDir, h, '/root/.ssh'), { recursive: true, mode: 0o700 });
    write(hostPath(simDir, h, '/root/.ssh/known_hosts'), simRootKnownHosts(Object.keys(s.hosts), h));
  }
  for (const d of Object.values(s.domus)) {
    write(hostPath(simDir, d.home, `/etc/xen/drbd-auto/${d.name}.cfg`), renderDomuConfig(d));
    for (const h of [d.home, d.peer]) if (h) write(hostPath(simDir, h, `/etc/xen/${d.name}.cfg`), renderDomuConfig(d));
  }
  for (const r of Object.values(s.drbd)) for (const n of r.nodes) write(hostPath(simDir, n, `/etc/drbd.d/${r.name}.res`), renderDrbdRes(r, (h) => hostAddress(s, h)));
  for (const h of Object.values(s.hosts)) {
    if (!h.migrateTab) continue;
    const rows = Object.values(s.domus).filter((d) => d.home === h.name && d.peer).map((d) => ({ domu: d.name, peer: d.peer! }));
    write(hostPath(simDir, h.name, '/etc/xen/migrate-tab.txt'), renderMigrateTab(rows));
  }
  syncProcDrbd(simDir, s);
}

/**
 * /proc/drbd exists while the host is on and has the DRBD module (8.4 or 9) loaded. SYNCED holds
 * the view each host's file was last made from (the simulator's files are its own): a host whose
 * view prints the same is passed over without reading its file, which every commit did for every
 * Dom0 of the fleet.
 */
export function syncProcDrbd(simDir: string, s: SimState, synced?: Map<string, HostDrbdView | null>): void {
  for (const h of Object.values(s.hosts)) {
    const p = hostPath(simDir, h.name, '/proc/drbd');
    const v = drbdViewFor(s, h.name);
    if (synced) {
      const was = synced.get(h.name);
      if (was !== undefined && sameDrbdView(was, v)) continue;
      synced.set(h.name, v);
    }
    if (v && v.loaded) {
      const text = v.major === '8.4' ? renderProcDrbd(v) : renderProcDrbd9(v);
      if (!existsSync(p) || readFileSync(p, 'utf8') !== text) write(p, text);
    } else rmSync(p, { force: true });
  }
}

export function readHostFile(simDir: string, host: string, path: string): string | null {
  try {
    return readFileSync(hostPath(simDir, host, path), 'utf8');
  } catch {
    return null;
  }
}

/** The names in a directory under this host's root (a host path), sorted; null if it is none. */
export function listHostDir(simDir: string, host: string, path: string): string[] | null {
  try {
    return readdirSync(hostPath(simDir, host, path)).sort();
  } catch {
    return null;
  }
}

/**
 * The file an agent process on HOST reads its filesystem's answers from (the agent's
 * XENHERD_SIM_STATE_DISK, agent/adapters/state-disk-stand-in.ts): outside the host's root, as no
 * file of a Dom0's holds it. Absent while the disk is well, so such an agent reads its real dirs.
 */
export const stateDiskStandInFile = (simDir: string, host: string): string => join(simDir, 'state-disk', `${host}.json`);

export function syncStateDiskStandIn(simDir: string, host: string, standIn: StateDiskStandIn | null): void {
  const p = stateDiskStandInFile(simDir, host);
  if (standIn === null) return rmSync(p, { force: true });
  mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
  // whole or not at all: the agent reads it while it changes
  writeFileSync(`${p}.tmp`, `${JSON.stringify(standIn)}\n`, { mode: 0o644 });
  renameSync(`${p}.tmp`, p);
}
