import type { Alert, AlertKind } from '../../shared/protocol/ctl-api.js';
import type { FleetIndex } from './fleet-index.js';
import { ageOf, isReachable, type Freshness } from './host-record.js';

/** An alert before the controller stamps when it first saw it. */
export type Finding = Omit<Alert, 'since'>;

export const finding = (kind: AlertKind, subject: string, hosts: readonly string[], message: string): Finding => ({ id: `${kind}:${subject}`, kind, subject, hosts: [...hosts].sort(), message });

/** HOST, and how old its report is when it is not reachable: a finding's message says what it rests on. */
function hostNote(index: FleetIndex, host: string, fresh: Freshness): string {
  const r = index.record(host);
  if (!r || isReachable(r, fresh.now, fresh.staleAfterMs)) return host;
  const age = ageOf(r, fresh.now);
  return `${host} (unreachable, last heard ${age === null ? 'never' : `${Math.round(age / 1000)} s ago`})`;
}

/** HOSTS for a finding's message: `xen1 and xen2 (unreachable, last heard 40 s ago)`. */
export const hostList = (index: FleetIndex, hosts: readonly string[], fresh: Freshness): string => hosts.map((h) => hostNote(index, h, fresh)).join(' and ');
