import type { DrbdView } from '../model/drbd-view.js';

/**
 * What the DRBD 9 kernel holds for one resource's one connection at one state change: the sim's
 * model jumps from one settled state to the next, the kernel passes through several, and
 * `drbdsetup events2` prints each (drbd-utils 9.22.0 user/v9/drbdsetup_events2.c: one
 * print_changes per notification batch, that is per state change; drbd-9.0.32-1 drbd_state.c
 * notify_state_change sends one batch per change).
 */
export interface Kernel9 {
  readonly role: string;
  readonly disk: string;
  readonly connection: string;
  readonly peerRole: string;
  readonly replication: string;
  readonly peerDisk: string;
  readonly pathEstablished: boolean;
}

export function settled9(r: DrbdView): Kernel9 {
  const connected = r.cstate === 'Connected';
  return {
    role: r.role,
    disk: r.disk,
    connection: connected ? 'Connected' : r.cstate === 'StandAlone' ? 'StandAlone' : 'Connecting',
    peerRole: r.peerRole,
    replication: connected ? 'Established' : 'Off',
    peerDisk: r.peerDisk,
    pathEstablished: connected,
  };
}

/**
 * The kernel's states from `before` to `after`, `after` last (drbd-9.0.32-1):
 *
 * Losing a connection (the sim's `power off`, a cut link): a peer that powers off or a network
 * that goes away sends nothing, not even a FIN, so it is the ack receiver's ping that notices:
 * "PingAck did not arrive in time." and change_cstate(C_NETWORK_FAILURE, CS_HARD)
 * (drbd_receiver.c drbd_ack_receiver). BrokenPipe and ProtocolError need a socket the peer closed
 * or garbage from it; Timeout, a write the peer left unanswered past ko-count (drbd_req.c
 * request_timer_fn), and the sim's idle replicas write nothing. __change_cstate sets
 * replication Off, sanitize_state the peer's role Unknown and its disk DUnknown, all in that one
 * change; a Secondary whose Primary peer so vanished marks its UpToDate disk Consistent in it too
 * (sanitize_state's maybe_crashed_primary). Then conn_disconnect shuts the transport down, whose
 * dtt_free announces the path no longer established (drbd_transport_tcp.c); the worker's
 * try_become_up_to_date takes a Consistent disk back to UpToDate (drbd_sender.c): woken by the
 * change itself, it races conn_disconnect, which first waits for peer requests and flushes the
 * sender's work; the sim lets the worker win. conn_disconnect then runs the "disconnected" helper
 * and commits Unconnected; the restarted receiver's conn_connect commits Connecting. Public
 * kernel logs show the same order (LINBIT/linstor-server#121: "PingAck did not arrive in time." then "conn( Connected ->
 * NetworkFailure ) peer( Secondary -> Unknown )", "pdsk( UpToDate -> DUnknown ) repl( Established
 * -> Off )"; LINBIT/drbd#106: "disk( UpToDate -> Consistent )" in that change, then a
 * cluster-wide "empty" change and "disk( Consistent -> UpToDate )").
 *
 * Going StandAlone (the sim's split brain, which drops a live connection at once): the
 * change_cstate(C_DISCONNECTING, CS_HARD) that follows drbd_sync_handshake's "Split-Brain
 * detected but unresolved, dropping connection!" (drbd_receiver.c), after its "split-brain"
 * helper; hard like a network failure, so marking the disk Consistent the same way; the path; the
 * "disconnected" helper; then conn_disconnect's C_STANDALONE (its C_NETWORK_FAILURE is refused:
 * after Disconnecting only StandAlone may follow, drbd_state.c is_valid_conn_transition).
 *
 * `drbdadm disconnect` (drbd_nl.c conn_try_disconnect): the graceful Disconnecting, cluster-wide,
 * so the peer's connection goes to TearDown (drbd_receiver.c convert_state maps the one to the
 * other), then down the way a lost one does: the path, the helper, Unconnected, Connecting.
 *
 * Coming back: adm_connect's Unconnected and conn_connect's Connecting when it was StandAlone;
 * dtt_connect announces the path established before the handshake; the connect transaction
 * commits Connected, the peer's role, replication and the peer's disk in one change
 * (drbd_state.c apply_connect: "since protocol 117 state comes before change on the cstate").
 */

/**
 * A usermode helper the kernel runs (drbd_nl.c drbd_khelper: notify_helper before and after
 * call_usermodehelper), printed by events2 as "call helper …" and "response helper … status:N"
 * (drbdsetup_events2.c print_helper). /sbin/drbdadm exits 0 for a handler the `.res` file does
 * not set, as the sim's do not.
 */
export interface Helper9 {
  readonly helper: 'disconnected' | 'split-brain';
}
export type Step9 = Kernel9 | Helper9;

export function steps9(before: DrbdView, after: DrbdView): Step9[] {
  const from = settled9(before);
  const to = settled9(after);
  if (from.connection === to.connection) return [to];
  const steps: Step9[] = [];
  const disconnected: Helper9 = { helper: 'disconnected' };
  if (from.connection === 'Connected') {
    // a view without `diverged` (written by hand) is the split brain this path first served
    const splitBrain = to.connection === 'StandAlone' && after.diverged !== false;
    const cause = to.connection === 'StandAlone' ? 'Disconnecting' : after.peerStandAlone === true ? 'TearDown' : 'NetworkFailure';
    if (splitBrain) steps.push({ helper: 'split-brain' });
    // sanitize_state's maybe_crashed_primary: a network failure or a hard Disconnecting only, not
    // the graceful one of `drbdadm disconnect` nor the peer's TearDown it causes here
    const hard = cause === 'NetworkFailure' || splitBrain;
    const crashedPrimary = hard && from.peerRole === 'Primary' && from.role === 'Secondary' && to.role === 'Secondary' && to.disk === 'UpToDate';
    const lost: Kernel9 = { ...to, connection: cause, pathEstablished: true, disk: crashedPrimary ? 'Consistent' : to.disk };
    steps.push(lost, { ...lost, pathEstablished: false });
    if (crashedPrimary) steps.push({ ...lost, pathEstablished: false, disk: to.disk });
    steps.push(disconnected);
    if (cause !== 'Disconnecting') steps.push({ ...to, connection: 'Unconnected' });
  } else if (to.connection === 'StandAlone') {
    // both ends were waiting and both drop: the handshake's unresolved split brain (its helper);
    // the sim does not show the moment the connection stood before that verdict
    if (after.diverged === true && before.peerStandAlone === false && after.peerStandAlone === true) steps.push({ helper: 'split-brain' });
    steps.push({ ...to, connection: 'Disconnecting' }, disconnected);
  } else if (from.connection === 'StandAlone') {
    steps.push({ ...to, connection: 'Unconnected', peerRole: 'Unknown', replication: 'Off', peerDisk: 'DUnknown', pathEstablished: false });
    if (to.connection === 'Connected') steps.push({ ...to, connection: 'Connecting', peerRole: 'Unknown', replication: 'Off', peerDisk: 'DUnknown', pathEstablished: false });
  }
  if (to.connection === 'Connected') steps.push({ ...from, role: to.role, disk: to.disk, connection: 'Connecting', pathEstablished: true });
  return [...steps, to];
}

/** the helper's call and response lines; split-brain is run for the device, so names its volume and minor */
export function helperLines9(r: DrbdView, h: Helper9): string[] {
  const ctx = `name:${r.name} peer-node-id:${r.peerNodeId} conn-name:${r.peer}${h.helper === 'split-brain' ? ` volume:0 minor:${r.minor}` : ''}`;
  return [`call helper ${ctx} helper:${h.helper}`, `response helper ${ctx} helper:${h.helper} status:0`];
}

/**
 * may_promote and promotion_score are not the kernel's: 9.22.0's events2 works them out from what
 * it holds (drbdsetup_events2.c compute_promotion_info, one device): none while no replica is
 * UpToDate; else 10000 if the local disk has data (UpToDate, Consistent or Inconsistent), 100 if
 * it is UpToDate, plus the UpToDate replicas counted here and on the peer; promotion only while
 * no node is Primary and the data is stable (the local disk UpToDate, or an UpToDate peer with
 * UUID_FLAG_STABLE, which a Secondary peer has: no Primary writes).
 */
export function promotion9(k: Kernel9): { may: boolean; score: number } {
  const replicas = (k.disk === 'UpToDate' ? 1 : 0) + (k.peerDisk === 'UpToDate' ? 1 : 0);
  if (replicas === 0) return { may: false, score: 0 };
  const hasPrimary = k.role === 'Primary' || k.peerRole === 'Primary';
  const stable = k.disk === 'UpToDate' || (k.peerDisk === 'UpToDate' && k.peerRole !== 'Primary');
  const hasData = k.disk === 'UpToDate' || k.disk === 'Consistent' || k.disk === 'Inconsistent';
  return { may: !hasPrimary && stable, score: (hasData ? 10000 : 0) + (k.disk === 'UpToDate' ? 100 : 0) + replicas };
}
