import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { halvesCanStrand, isStranded } from '../../shared/stranded-half.js';
import { spanText } from '../../shared/text/span-text.js';
import type { HostRecord } from './host-record.js';
import { INCOMING_STRANDED_MS } from './incoming-halves.js';

/** How long D, a migration half R reports, has stood at NOW (the controller's clock, halvesSince / incomingSince); null when not timed. */
export function halfStoodMs(r: HostRecord | undefined, d: LinkDomain, now: number): number | null {
  const kept = d.migration === 'migratedaway' ? r?.halvesSince : d.migration === 'incoming' ? r?.incomingSince : undefined;
  const since = kept?.[d.name]?.since;
  return since === undefined ? null : Math.max(0, now - since);
}

/**
 * Whether a half that has stood FOR_MS on R has outlived any migration, by the bounds the
 * stranded-half alerts go by: a sender's half past its final handshake (shared/stranded-half.ts;
 * never on xm, whose sender's half stands for the whole send), a receiving half past the longest
 * `xl migrate` the agent lets run (incoming-halves.ts).
 */
export function halfOutlived(r: HostRecord | undefined, d: LinkDomain, forMs: number): boolean {
  if (d.migration === 'migratedaway') return halvesCanStrand(r?.state?.toolstack ?? null) && isStranded(forMs);
  return d.migration === 'incoming' && forMs > INCOMING_STRANDED_MS;
}

/** What bounds a half of D's kind, for a sentence: "longer than ...". */
export const halfBound = (d: LinkDomain): string =>
  d.migration === 'incoming' ? `any migration is let run (${spanText(INCOMING_STRANDED_MS)})` : "any migration's final handshake takes (a minute)";
