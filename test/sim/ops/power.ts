import type { SimState } from '../model/types.js';
import { downReplicas, upReplicas } from './drbd.js';
import { fail, ok, type OpResult } from './result.js';

/**
 * Host power. Off: every domain on it vanishes, its DRBD replicas go away (peers see the
 * connection drop), migrations touching it end (the daemon resolves their sides). On: an empty
 * Dom0 (domids restart at 1), DRBD resources up as Secondary, not yet connected.
 */
export function powerOff(s: SimState, host: string): OpResult {
  const h = s.hosts[host];
  if (!h) return fail({ kind: 'no-host', host });
  if (h.power === 'off') return ok(s);
  let next: SimState = {
    ...s,
    hosts: { ...s.hosts, [host]: { ...h, power: 'off' } },
    domains: s.domains.filter((d) => d.host !== host),
    xenstore: { ...s.xenstore, [host]: {} },
  };
  next = downReplicas(next, host);
  return ok(next);
}

export function powerOn(s: SimState, host: string): OpResult {
  const h = s.hosts[host];
  if (!h) return fail({ kind: 'no-host', host });
  if (h.power === 'on') return ok(s);
  let next: SimState = {
    ...s,
    hosts: { ...s.hosts, [host]: { ...h, power: 'on', nextDomid: 1, dom0CpuS: 0 } },
    xenstore: { ...s.xenstore, [host]: { '/local/domain/0/name': 'Domain-0' } },
  };
  if (h.drbdModuleLoaded) next = upReplicas(next, host);
  return ok(next);
}
