import type { SimState } from '../model/types.js';
import { isConnected } from '../model/drbd-view.js';
import { SS_NO_UP_TO_DATE_DISK, withResource } from './drbd.js';
import { fail, ok, type OpResult } from './result.js';

/**
 * A replica's backing disk going and coming back: `drbdadm detach` (an operator), the disk
 * failing under DRBD with `on-io-error detach` (the fault), and `drbdadm attach` (the disk, or its
 * replacement, attached again). Going, the disk passes through a state of its own before Diskless,
 * which the kernel announces to events2 and to the peer as it does Diskless: Failed after an I/O
 * error (__drbd_chk_io_error_ on 8.4 and 9), Failed too for 8.4's detach (adm_detach), Detaching
 * for 9's (adm_detach, drbd-9.0); put_ldev, once the disk's last reference is given back, has the
 * worker's go_diskless make it Diskless, and `drbdadm detach` returns only then. Coming back
 * settles at once, as the sim's resync after an attach is instant.
 */

/** the states a disk leaves only for Diskless */
const GOING: ReadonlySet<string> = new Set(['Failed', 'Detaching']);

function replica(s: SimState, res: string, host: string): OpResult | null {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  if (!r.replicas[host] || !r.nodes.includes(host)) return fail({ kind: 'not-replica', res, host });
  return null;
}

const peerOf = (s: SimState, res: string, host: string): string => s.drbd[res]!.nodes.find((n) => n !== host)!;

/**
 * `drbdadm detach`, or the disk failing (`ioError`): the first half, the disk Failed or Detaching.
 * A Primary keeps serving its device only through a connected peer whose disk is UpToDate, so the
 * kernel refuses to take the last good disk from under it (is_valid_state: SS_NO_UP_TO_DATE_DISK).
 * An I/O error does not ask: the disk goes whatever follows, and a Primary left without good data
 * fails its I/O. A disk already going or gone is left as it is.
 */
export function detachDisk(s: SimState, res: string, host: string, ioError: boolean): OpResult {
  const refused = replica(s, res, host);
  if (refused) return refused;
  const r = s.drbd[res]!;
  const me = r.replicas[host]!;
  if (me.disk === 'Diskless' || GOING.has(me.disk)) return ok(s);
  const peer = r.replicas[peerOf(s, res, host)];
  const servedByPeer = isConnected(s, res) && peer?.disk === 'UpToDate';
  if (!ioError && me.role === 'Primary' && !servedByPeer) return fail({ kind: 'drbd-state', res, minor: r.minor, ...SS_NO_UP_TO_DATE_DISK });
  const disk = ioError || s.hosts[host]?.drbd !== '9' ? 'Failed' : 'Detaching';
  return ok(withResource(s, { ...r, replicas: { ...r.replicas, [host]: { ...me, disk } } }));
}

/** The second half: a disk Failed or Detaching becomes Diskless; any other state is left alone (the host went down meanwhile, say). */
export function settleDetached(s: SimState, res: string, host: string): OpResult {
  const r = s.drbd[res];
  const me = r?.replicas[host];
  if (!r || !me || !GOING.has(me.disk)) return ok(s);
  return ok(withResource(s, { ...r, replicas: { ...r.replicas, [host]: { ...me, disk: 'Diskless' } } }));
}

/** `drbdadm attach`: connected to an UpToDate peer it resyncs from it (instant here); alone it keeps what its metadata says, Outdated. */
export function attachDisk(s: SimState, res: string, host: string): OpResult {
  const refused = replica(s, res, host);
  if (refused) return refused;
  const r = s.drbd[res]!;
  const me = r.replicas[host]!;
  // a disk Failed or Detaching is still attached to the kernel (ERR_DISK_CONFIGURED) until Diskless
  if (me.disk !== 'Diskless') return fail({ kind: 'drbd-attach', res, reason: 'attached' });
  const peer = r.replicas[peerOf(s, res, host)];
  const disk = isConnected(s, res) && peer?.disk === 'UpToDate' ? 'UpToDate' : 'Outdated';
  return ok(withResource(s, { ...r, replicas: { ...r.replicas, [host]: { ...me, disk } } }));
}
