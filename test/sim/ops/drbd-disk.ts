import type { SimState } from '../model/types.js';
import { isConnected } from '../model/drbd-view.js';
import { SS_NO_UP_TO_DATE_DISK, withResource } from './drbd.js';
import { fail, ok, type OpResult } from './result.js';

/**
 * A replica's backing disk going and coming back: `drbdadm detach` (an operator), the disk
 * failing under DRBD with `on-io-error detach` (the fault), and `drbdadm attach` (the disk, or its
 * replacement, attached again). The sim passes through neither Failed nor Detaching: it settles
 * at once, as its resync after an attach is instant.
 */

function replica(s: SimState, res: string, host: string): OpResult | null {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  if (!r.replicas[host] || !r.nodes.includes(host)) return fail({ kind: 'not-replica', res, host });
  return null;
}

const peerOf = (s: SimState, res: string, host: string): string => s.drbd[res]!.nodes.find((n) => n !== host)!;

/**
 * `drbdadm detach`: a Primary keeps serving its device only through a connected peer whose disk is
 * UpToDate, so the kernel refuses to take the last good disk from under it (is_valid_state:
 * SS_NO_UP_TO_DATE_DISK). An I/O error (`ioError`) does not ask: the disk goes whatever follows,
 * and a Primary left without good data fails its I/O.
 */
export function detachDisk(s: SimState, res: string, host: string, ioError: boolean): OpResult {
  const refused = replica(s, res, host);
  if (refused) return refused;
  const r = s.drbd[res]!;
  const me = r.replicas[host]!;
  if (me.disk === 'Diskless') return ok(s);
  const peer = r.replicas[peerOf(s, res, host)];
  const servedByPeer = isConnected(s, res) && peer?.disk === 'UpToDate';
  if (!ioError && me.role === 'Primary' && !servedByPeer) return fail({ kind: 'drbd-state', res, minor: r.minor, ...SS_NO_UP_TO_DATE_DISK });
  return ok(withResource(s, { ...r, replicas: { ...r.replicas, [host]: { ...me, disk: 'Diskless' } } }));
}

/** `drbdadm attach`: connected to an UpToDate peer it resyncs from it (instant here); alone it keeps what its metadata says, Outdated. */
export function attachDisk(s: SimState, res: string, host: string): OpResult {
  const refused = replica(s, res, host);
  if (refused) return refused;
  const r = s.drbd[res]!;
  const me = r.replicas[host]!;
  if (me.disk !== 'Diskless') return fail({ kind: 'drbd-attach', res, reason: 'attached' });
  const peer = r.replicas[peerOf(s, res, host)];
  const disk = isConnected(s, res) && peer?.disk === 'UpToDate' ? 'UpToDate' : 'Outdated';
  return ok(withResource(s, { ...r, replicas: { ...r.replicas, [host]: { ...me, disk } } }));
}
