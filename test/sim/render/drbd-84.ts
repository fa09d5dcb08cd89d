import type { DrbdView } from '../model/drbd-view.js';
import { statusLong84 } from './drbd-status-long.js';

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

/** the short form: statusLong84 without --verbose or --statistics */
export const status84 = (r: DrbdView): string => statusLong84(r, { verbose: false, statistics: false });
