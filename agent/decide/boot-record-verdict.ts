import { utcMinuteText } from '../../shared/text/utc-time.js';

/** The boot the agent runs in, for judging a record of what autostart handled since boot. */
export interface ThisBoot {
  readonly bootId: string;
  /** the record's dir is on a tmpfs every boot empties (/run): a record of unknown boot is this boot's */
  readonly emptiedByBoot: boolean;
  /** when this boot began (now − uptime), ms since the epoch on the system clock; null when the kernel does not say */
  readonly startedAtMs: number | null;
}

/** What is known of a record on disk: its boot (null: unknown, an older agent's) and when it was written. */
export interface RecordSeen {
  readonly file: string;
  readonly bootId: string | null;
  readonly mtimeMs: number;
}

/** Set aside (why, for the log), or used (with the log line when its time alone decided). */
export type BootRecordVerdict = { readonly aside: string } | { readonly used: string | null };

const NOTHING_YET = 'not used, nothing handled since this boot yet';

/**
 * Whether a record is this boot's: by its boot when known; a record of unknown boot is this
 * boot's in a dir every boot empties, elsewhere when written at or after this boot's start. The
 * time is only a fallback (a clock step can fool it; see boot-record.ts).
 */
export function bootRecordVerdict(r: RecordSeen, boot: ThisBoot): BootRecordVerdict {
  const f = r.file;
  if (r.bootId !== null) return r.bootId === boot.bootId ? { used: null } : { aside: `${f}: from boot ${r.bootId}, not this one (${boot.bootId}): ${NOTHING_YET}` };
  if (boot.emptiedByBoot) return { used: null };
  const start = boot.startedAtMs;
  if (start === null) return { aside: `${f}: a record without a boot id, outside a dir every boot empties, and when this boot began is not known: ${NOTHING_YET}` };
  const when = `written ${utcMinuteText(r.mtimeMs)}, ${r.mtimeMs >= start ? 'since' : 'before'} this boot began (${utcMinuteText(start)}): judged by its time alone`;
  if (r.mtimeMs >= start) return { used: `${f}: a record without a boot id (an older agent's), ${when}, used` };
  return { aside: `${f}: a record without a boot id, outside a dir every boot empties, ${when}, ${NOTHING_YET}` };
}

/** What is known of a record that could not be read: when it was last written (null: not known). */
export interface UnreadSeen {
  readonly file: string;
  readonly mtimeMs: number | null;
}

/**
 * A record that could not be read, judged the same way by its dir and time: `lost` when it may
 * be this boot's (what autostart handled since boot, an operator's stops among them, is then not
 * known, and nothing is started on its own), `earlier` when it is an earlier boot's (nothing was
 * handled this boot yet). Each with the words saying why, for the log and the decisions.
 */
export function unreadRecordVerdict(r: UnreadSeen, boot: ThisBoot): { readonly lost: string } | { readonly earlier: string } {
  if (boot.emptiedByBoot) return { lost: 'it is in a dir every boot empties, so it was written this boot' };
  const start = boot.startedAtMs;
  if (start === null) return { earlier: 'outside a dir every boot empties, and when this boot began is not known: taken for an earlier boot\'s' };
  // a file whose time cannot be read may be this boot's: in doubt, start nothing
  if (r.mtimeMs === null) return { lost: 'when it was written cannot be read, so it may be this boot\'s' };
  const when = `written ${utcMinuteText(r.mtimeMs)}, ${r.mtimeMs >= start ? 'since' : 'before'} this boot began (${utcMinuteText(start)})`;
  return r.mtimeMs >= start ? { lost: when } : { earlier: `${when}: an earlier boot's` };
}
