import { parseXenherdSince } from '../parse/xenherd-since.js';

/** What a domU's area held when the agent (re)started: its `data/xenherd/dom0` and `since`, null where no such node. */
export interface NamedAlready {
  readonly dom0: string | null;
  readonly since: string | null;
}

/** KEEP: the `since` to leave as it is; else written anew, WHY saying what was wrong with the value read when it should have been kept. */
export type SinceVerdict = { readonly keep: string } | { readonly keep: null; readonly why: string | null };

/**
 * Whether the `since` a domU's area holds still says when it came to run on HOST: an agent restart
 * (systemctl restart, a package upgrade) must not move it, as nothing moved. Kept only when `dom0`
 * names HOST and `since` reads as a time no later than NOW and no earlier than the domain's own
 * start (STARTEDAT, Xen's start_time, when known): a domU whose area names another Dom0 or none
 * came here since (by migration, or it is new) and gets a new one, without a word. A value that
 * should have been kept but cannot be trusted (a hand edit, a guest's own write, a clock stepped
 * back) is written anew, WHY saying what it was.
 */
export function keptSince(read: NamedAlready, host: string, now: number, startedAt: number | null): SinceVerdict {
  if (read.dom0 !== host) return { keep: null, why: null };
  if (read.since === null) return { keep: null, why: 'no since beside its dom0' };
  const at = parseXenherdSince(read.since);
  if (!at.ok) return { keep: null, why: at.error };
  if (at.value > now) return { keep: null, why: `${read.since} is later than now (${new Date(now).toISOString()})` };
  if (startedAt !== null && at.value < startedAt) return { keep: null, why: `${read.since} is before the domain started (${new Date(startedAt).toISOString()})` };
  return { keep: read.since };
}
