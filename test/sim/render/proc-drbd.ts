import type { HostDrbdView } from '../model/drbd-view.js';
import { right } from './printf.js';

/**
 * /proc/drbd of the in-kernel DRBD 8.4 module (drbd_proc.c drbd_seq_show): version line,
 * srcversion (padded to 24 columns, hence the trailing space), then per minor
 * "%2d: cs:%s ro:%s/%s ds:%s/%s %c %c%c%c%c%c%c" and the counters line; a blank line
 * separates non-consecutive minors. The protocol letter is a blank while the connection has no
 * network config (StandAlone).
 */
export const SRCVERSION = 'F73C670A7EC572DB9CF3E5B'; // the lab's Debian 12 kernel module

export function renderProcDrbd(v: HostDrbdView): string {
  let out = `version: ${v.version} (api:1/proto:86-101)\nsrcversion: ${SRCVERSION.padEnd(24)}\n`;
  let prev = -1;
  for (const r of v.resources) {
    if (prev !== r.minor - 1) out += '\n';
    prev = r.minor;
    out += `${right(r.minor, 2)}: cs:${r.cstate} ro:${r.role}/${r.peerRole} ds:${r.disk}/${r.peerDisk} ${r.cstate === 'StandAlone' ? ' ' : 'C'} r-----\n`;
    out += '    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n';
  }
  return out;
}

/**
 * What DRBD 9 prints besides the version, per module version, from real captures only: the
 * protocol range, the build line and the transport API differ by build, and the sim invents none.
 */
export const DRBD9_BUILDS: Readonly<Record<string, { readonly proto: string; readonly git: string; readonly transportsApi: number }>> = {
  // test/fixtures/drbd/proc/9.0.32-version-only.txt
  '9.0.32-1': { proto: '86-121', git: 'GIT-hash: 7d2933d5a3764fcc5e0bf54b71fd9cfb0363be1a build by @4904565a901d, 2022-09-07 08:53:17', transportsApi: 17 },
};

/**
 * /proc/drbd of DRBD 9 (drbd_proc.c drbd_seq_show + drbd_print_transports_loaded): only the
 * version, build and transports; resource state lives in `drbdsetup status/events2`.
 */
export function renderProcDrbd9(v: HostDrbdView): string {
  const b = DRBD9_BUILDS[v.version];
  if (!b) throw new Error(`sim: no real /proc/drbd capture for DRBD ${v.version} (known: ${Object.keys(DRBD9_BUILDS).join(', ')})`);
  return `version: ${v.version} (api:2/proto:${b.proto})\n${b.git}\nTransports (api:${b.transportsApi}): tcp (${v.version})\n`;
}
