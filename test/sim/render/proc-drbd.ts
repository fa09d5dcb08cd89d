import type { HostDrbdView } from '../model/drbd-view.js';
import { right } from './printf.js';

/**
 * /proc/drbd of the in-kernel DRBD 8.4 module (drbd_proc.c drbd_seq_show): version line,
 * srcversion (padded to 24 columns, hence the trailing space), then per minor
 * "%2d: cs:%s ro:%s/%s ds:%s/%s %c %c%c%c%c%c%c" and the counters line; a blank line
 * separates non-consecutive minors.
 */
export const SRCVERSION = 'F73C670A7EC572DB9CF3E5B'; // the lab's Debian 12 kernel module

export function renderProcDrbd(v: HostDrbdView): string {
  let out = `version: ${v.version} (api:1/proto:86-101)\nsrcversion: ${SRCVERSION.padEnd(24)}\n`;
  let prev = -1;
  for (const r of v.resources) {
    if (prev !== r.minor - 1) out += '\n';
    prev = r.minor;
    out += `${right(r.minor, 2)}: cs:${r.cstate} ro:${r.role}/${r.peerRole} ds:${r.disk}/${r.peerDisk} C r-----\n`;
    out += '    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n';
  }
  return out;
}

/** The build line of test/fixtures/drbd/proc/9-version-only.txt; the sim has no build of its own. */
export const DRBD9_GIT_LINE = 'GIT-hash: 8a4a4f8b4d0a9e2bcbf0a4d2d3c4e1f0a1b2c3d4 build by root@hv1, 2024-11-21 10:02:33';

/**
 * /proc/drbd of DRBD 9 (drbd_proc.c drbd_seq_show + drbd_print_transports_loaded): only the
 * version, build and transports; resource state lives in `drbdsetup status/events2`.
 */
export function renderProcDrbd9(v: HostDrbdView): string {
  return `version: ${v.version} (api:2/proto:86-122)\n${DRBD9_GIT_LINE}\nTransports (api:21): tcp (${v.version})\n`;
}
