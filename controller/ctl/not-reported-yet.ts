import type { HostsAnswer, HostView, StatusVerdict } from '../../shared/protocol/ctl-api.js';
import { printable } from '../../shared/text/printable.js';
import { mayBeDownLine } from './render-hosts.js';

/**
 * The Dom0s `status` says are not reported yet, as `check` does: within the controller's start-up
 * grace (while check's verdict carries its one "not reported yet" WARNING) the enrolled Dom0s it
 * has not heard from since it started. Their agents may still be dialling, so "UNREACHABLE" over
 * check's WARNING read as two verdicts on one fleet. After the grace check calls each one
 * unreachable (CRITICAL), and so does status.
 */
export interface NotReportedYet {
  /** "1 of 4 enrolled Dom0s", as check's line names them */
  readonly subject: string;
  readonly hosts: ReadonlySet<string>;
}

/** Not heard since the controller started and no agent dialling in with a token it refuses (that one is seen, and said so). */
const unheardSinceStart = (h: HostView): boolean => !h.reachable && !h.reported && !h.linkUp && h.lastSeen === null && h.tokenRefused === undefined;

export function notReportedYet(hosts: readonly HostView[], verdict: StatusVerdict | undefined): NotReportedYet | null {
  const line = verdict?.details.find((d) => d.kind === 'hosts-not-reported');
  if (line === undefined) return null;
  const unheard = hosts.filter(unheardSinceStart);
  if (unheard.length === 0) return null;
  return { subject: line.subject ?? `${unheard.length} enrolled Dom0${unheard.length === 1 ? '' : 's'}`, hosts: new Set(unheard.map((h) => h.host)) };
}

/** The block after the unreachable one naming each such Dom0, and what its DRBD partners say may be down with it; '' when none. */
export function notReportedBlock(hosts: readonly HostView[], waiting: NotReportedYet | null): string {
  if (waiting === null) return '';
  const named = hosts.filter((h) => waiting.hosts.has(h.host));
  const line = (h: HostView): string => `  ${printable(h.host)}  not heard from since the controller started${mayBeDownLine(h)}`;
  return `NOT REPORTED YET (${named.length}): the controller is in its start-up grace and their agents may still be connecting; what runs there is not known until they report\n${named.map(line).join('\n')}\n`;
}

/**
 * `hosts`' not-reported-yet Dom0s: with no verdict in its answer, the controller's own word that it
 * is within its start-up grace (GRACEUNTIL past AT); none from a controller older than that word,
 * whose hosts are then called unreachable as before.
 */
export function notReportedWithin(a: HostsAnswer): ReadonlySet<string> {
  if (a.graceUntil === undefined || a.at >= a.graceUntil) return new Set();
  return new Set(a.hosts.filter(unheardSinceStart).map((h) => h.host));
}
