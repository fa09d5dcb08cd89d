import { hostlessPeerName } from '../../shared/drbd-words.js';
import { DRBD_HOST_NAME_RE } from '../../shared/names.js';
import { WHERE_DISK_FAILED, type WhereDisk } from '../../shared/protocol/ctl-where.js';
import { nameOrder } from '../../shared/name-order.js';
import { domusOn, resHostsOn } from './resource-users.js';
import type { DiskTrouble } from './split-disks.js';

/**
 * NAME's DRBD resources whose disk DRBD detached (an I/O error with `on-io-error detach`, or
 * `drbdadm detach`) on a Dom0 in RUNNING that runs it: the domU goes on over the network on its
 * peer's disk, the only copy, so whoever asks where it runs must see it; no alert names the domU.
 * A peer is named when its connection is up and its disk UpToDate, as only then does the domU
 * have a disk at all: DRBD 9 names it after its host, DRBD 8.4 ("peer") by the one other host
 * the `.res` file names.
 */
export function failedDisksOf(trouble: DiskTrouble, name: string, running: readonly string[]): WhereDisk[] {
  const index = trouble.index;
  const out: WhereDisk[] = [];
  for (const host of running) {
    for (const res of trouble.detachedOn(host)) {
      if (!domusOn(index, res.name, host).includes(name)) continue;
      // beside a diskless tiebreaker (DRBD 9, three nodes) too: the peer whose disk is UpToDate
      const serving = res.peers.find((p) => p.connection === 'Connected' && p.disk === 'UpToDate');
      const others = [...new Set(resHostsOn(index, res.name, host))].filter((h) => h !== host);
      // DRBD 9 names the peer after its host, a Dom0 of the fleet or not; 8.4 says only "peer".
      // A name no host could have (the link carries any text) is read as 8.4's, not put in an answer whose schema refuses it
      const ownName = serving !== undefined && DRBD_HOST_NAME_RE.test(serving.name) && (!hostlessPeerName(serving.name) || index.record(serving.name) !== undefined);
      const peerHost = serving === undefined ? undefined : ownName ? serving.name : others.length === 1 ? others[0] : undefined;
      out.push({ resource: res.name, kind: WHERE_DISK_FAILED, hosts: peerHost === undefined ? [host] : [host, peerHost] });
    }
  }
  return out.sort((a, b) => nameOrder(a.resource, b.resource));
}
