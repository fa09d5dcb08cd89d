import type { DrbdView } from '../model/drbd-view.js';
import { SIM_DISK_KIB, statusLong9 } from './drbd-status-long.js';

/**
 * drbd-utils user/v9/drbdsetup.c status_cmd (text) and the --json variant. DRBD 9 names the
 * connection after the peer host; `drbdadm role` prints the local role only.
 *
 * The sim's DRBD tools are one drbd-utils: 9.22.0, the lab's (Debian 12), whose DRBD 8.4 output
 * the lab captured. Its DRBD 9 formats are taken from that tag's drbdsetup.c and
 * drbdsetup_events2.c. Later utils print more: the connection's "tls" in --json from 9.28.0;
 * the device's "open" in --json (false when unknown), and open:yes|no|unknown in events2, from
 * 9.29.0, where the text status shows open: only if the kernel reports it (DRBD 9.1.22 / 9.2.11
 * on, not the sim's 9.0.32).
 */
export const conn9 = (r: DrbdView): string => (r.cstate === 'Connected' ? 'Connected' : r.cstate === 'StandAlone' ? 'StandAlone' : 'Connecting');
export const repl9 = (r: DrbdView): string => (r.cstate === 'Connected' ? 'Established' : 'Off');

/** the short form: statusLong9 without --verbose or --statistics */
export const status9 = (r: DrbdView): string => statusLong9(r, { verbose: false, statistics: false });

function resourceJson(r: DrbdView): string {
  const connected = r.cstate === 'Connected';
  return (
    '{\n' +
    `  "name": "${r.name}",\n` +
    `  "node-id": ${r.nodeId},\n` +
    `  "role": "${r.role}",\n` +
    '  "suspended": false,\n' +
    '  "suspended-user": false,\n' +
    '  "suspended-no-data": false,\n' +
    '  "suspended-fencing": false,\n' +
    '  "suspended-quorum": false,\n' +
    '  "force-io-failures": false,\n' +
    '  "write-ordering": "flush",\n' +
    '  "devices": [\n' +
    '    {\n' +
    '      "volume": 0,\n' +
    `      "minor": ${r.minor},\n` +
    `      "disk-state": "${r.disk}",\n` +
    '      "client": false,\n' +
    '      "quorum": true,\n' +
    `      "size": ${SIM_DISK_KIB},\n` +
    '      "read": 0,\n' +
    '      "written": 0,\n' +
    '      "al-writes": 0,\n' +
    '      "bm-writes": 0,\n' +
    '      "upper-pending": 0,\n' +
    '      "lower-pending": 0\n' +
    '    } ],\n' +
    '  "connections": [\n' +
    '    {\n' +
    `      "peer-node-id": ${r.peerNodeId},\n` +
    `      "name": "${r.peer}",\n` +
    `      "connection-state": "${conn9(r)}", \n` +
    '      "congested": false,\n' +
    `      "peer-role": "${r.peerRole}",\n` +
    '      "ap-in-flight": 0,\n' +
    '      "rs-in-flight": 0,\n' +
    '      "peer_devices": [\n' +
    '        {\n' +
    '          "volume": 0,\n' +
    `          "replication-state": "${repl9(r)}",\n` +
    `          "peer-disk-state": "${r.peerDisk}",\n` +
    '          "peer-client": false,\n' +
    '          "resync-suspended": "no",\n' +
    '          "received": 0,\n' +
    '          "sent": 0,\n' +
    '          "out-of-sync": 0,\n' +
    '          "pending": 0,\n' +
    '          "unacked": 0,\n' +
    '          "has-sync-details": false,\n' +
    '          "has-online-verify-details": false,\n' +
    `          "percent-in-sync": ${connected ? '100.00' : '100.00'}\n` +
    '        } ]\n' +
    '    } ]\n' +
    '}\n'
  );
}

export function statusJson9(rs: readonly DrbdView[]): string {
  return `[\n${rs.map((r) => resourceJson(r)).join(',\n')}]\n`;
}
