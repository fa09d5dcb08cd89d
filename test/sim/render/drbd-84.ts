import type { DrbdView } from '../model/drbd-view.js';

/**
 * drbd-utils user/v84/drbdsetup.c: role_scmd "%s/%s", cstate_scmd "%s", dstate_scmd "%s/%s";
 * status_cmd (what `drbdadm status` runs on 8.4): the peer is always named "peer", connection
 * states through drbd_conn_str9 (WFConnection → Connecting), replication through drbd_repl_str9.
 * A StandAlone resource has no peer section: 8.4 lists a connection only while it has a peer
 * address (lab captures 19 and 20).
 */
export const role84 = (r: DrbdView): string => `${r.role}/${r.peerRole}\n`;
export const cstate84 = (r: DrbdView): string => `${r.cstate}\n`;
export const dstate84 = (r: DrbdView): string => `${r.disk}/${r.peerDisk}\n`;

export function status84(r: DrbdView): string {
  let out = `${r.name} role:${r.role}\n  disk:${r.disk}\n`;
  if (r.cstate === 'Connected') {
    out += `  peer role:${r.peerRole}\n    replication:Established peer-disk:${r.peerDisk}\n`;
  } else if (r.cstate !== 'StandAlone') {
    out += `  peer connection:${r.cstate === 'WFConnection' ? 'Connecting' : r.cstate}\n`;
  }
  return `${out}\n`;
}
