import { DEAD_DOM0_SECTION, FAILED_DISK_SECTION, SPLIT_BRAIN_SECTION } from '../drbd-readiness.js';
import { WHERE_DISK_FAILED, type WhereDisk, type WherePrimarySpan, type WhereSeen, type WhereSplitSide } from '../protocol/ctl-where.js';
import { utcMinuteText } from './utc-time.js';

const hostsText = (hosts: readonly string[]): string => hosts.join(' and ');
/** the kinds that are a split: two sides that may hold different writes */
const SPLIT_WORDS: ReadonlyMap<string, string> = new Map([['primary-on-both', 'Primary'], ['standalone', 'StandAlone']]);

/**
 * "DRBD r1 split (Primary on xen1 and xen2, StandAlone on xen1 and xen2): see ..." per resource:
 * the word an operator asking where a domU runs cannot miss, and where the way out is written.
 * `where` ends its line with it, and the controller's refusal of a migrate or reverse over the
 * split says it in the same words. A disk DRBD detached is no split: its own note follows. A kind
 * this build does not know (a newer controller's) is said plainly by its word ("DRBD r1:
 * some-new-kind on xen1"), not as a split nor a failed disk, which it may be neither of.
 */
export function splitDiskNotes(disks: readonly WhereDisk[]): string[] {
  const byResource = new Map<string, WhereDisk[]>();
  for (const d of disks) if (SPLIT_WORDS.has(d.kind)) byResource.set(d.resource, [...(byResource.get(d.resource) ?? []), d]);
  const split = [...byResource].map(([resource, ds]) => {
    const unheard = ds.length === 1 ? (ds[0]?.unheard ?? []) : [];
    if (unheard.length > 0) return unheardPrimaryNote(resource, ds[0]?.hosts ?? [], unheard);
    const what = ds.map((d) => `${SPLIT_WORDS.get(d.kind) ?? d.kind} on ${hostsText(d.hosts)}`);
    return `DRBD ${resource} split (${what.join(', ')}${sidesText(ds.find((d) => d.sides !== undefined && d.sides.length > 0))}): see "${SPLIT_BRAIN_SECTION}" in the README`;
  });
  const other = disks.filter((d) => d.kind !== WHERE_DISK_FAILED && !SPLIT_WORDS.has(d.kind)).map((d) => `DRBD ${d.resource}: ${d.kind} on ${hostsText(d.hosts)}`);
  return [...split, ...other, ...disks.filter((d) => d.kind === WHERE_DISK_FAILED).map(failedDiskNote)];
}

/**
 * "DRBD r1: disk failed on xen1, running on xen2's disk over the network: see ...": the domU runs
 * on, its only copy on the peer, and nothing says so where an operator asks where it runs.
 */
function failedDiskNote(d: WhereDisk): string {
  const [host, peer] = d.hosts;
  const on = peer === undefined ? 'with no UpToDate disk of a connected peer to run on' : `running on ${peer}'s disk over the network`;
  return `DRBD ${d.resource}: disk failed on ${host ?? 'its Dom0'}, ${on}: see "${FAILED_DISK_SECTION}" in the README`;
}

/**
 * Primary on both, one side known only from its last report, and no side heard now StandAlone: a
 * Dom0 that died Primary while the runbook started its domU on the peer reads so until it reports
 * again, and the split brain's first step (shut the victim's copy down) would then stop the only
 * copy that runs. Which it is, only a look at that Dom0 tells, so both runbooks are named.
 */
function unheardPrimaryNote(resource: string, hosts: readonly string[], unheard: readonly string[]): string {
  const them = hostsText(unheard);
  const lastHeard = `${them} as last heard`;
  return (
    `DRBD ${resource} Primary on ${hostsText(hosts)} (${lastHeard}): if ${them} ${unheard.length === 1 ? 'is' : 'are'} down, no split, ` +
    `it clears once ${unheard.length === 1 ? 'it reports' : 'they report'} again: see "${DEAD_DOM0_SECTION}" in the README; if up, a split brain: see "${SPLIT_BRAIN_SECTION}"`
  );
}

const atText = (s: WhereSeen): string => `${utcMinuteText(s.at)}${s.orEarlier === true ? ' or earlier' : ''}`;
const seenText = (s: WhereSeen): string => `since ${atText(s)}`;

/**
 * "since 2026-12-06 09:12 UTC (Xen's start time)": since when a side's copy has run, Xen's own time
 * where the side's agent says it (STARTED: the copy may have run longer than the controller has
 * known it), else when the controller first saw it (RUNNING, "or earlier" when it ran already as
 * the controller first heard of that Dom0); the two read alike, so Xen's is named. Null: neither
 * known. A split brain's alerts ("runs web1 since …") and `where` ("running since …") both say it.
 */
export function copySinceText(started: number | undefined, running: WhereSeen | undefined): string | null {
  if (started !== undefined) return `since ${utcMinuteText(started)} (Xen's start time)`;
  return running === undefined ? null : seenText(running);
}

/**
 * "from 10:00 UTC to 10:20 UTC while cut", the span of a Primary a side left while cut, as a
 * split brain's alerts and `where` both say it. Its end is when the controller first saw it, so
 * after a silence of that Dom0 the end is only a bound: "from 10:00 UTC while cut, ended by
 * 10:20 UTC (not heard from 10:05 UTC until then)".
 */
export function primarySpanText(p: WherePrimarySpan): string {
  if (p.unheardFrom === undefined) return `from ${atText(p.since)} to ${utcMinuteText(p.until)} while cut`;
  return `from ${atText(p.since)} while cut, ended by ${utcMinuteText(p.until)} (not heard from ${utcMinuteText(p.unheardFrom)} until then)`;
}

/**
 * "; xen1, its home: running since …, Primary since …; xen2: …; Primary longer on xen1": what the
 * controller knows of each side, to help choose the one whose writes are thrown away. "or
 * earlier": so already when the controller first heard of that Dom0. Nothing when it knows none.
 */
function sidesText(d: WhereDisk | undefined): string {
  const sides = d?.sides ?? [];
  const known = sides.filter((s) => s.home === true || s.awayHereSince !== undefined || s.running !== undefined || s.started !== undefined || s.primary !== undefined || s.wasPrimary !== undefined);
  if (known.length === 0) return '';
  const side = (s: WhereSplitSide): string => {
    const tags = [...(s.home === true ? ['its home'] : []), ...(s.awayHereSince === undefined ? [] : [`where its home's ledger sends it since ${s.awayHereSince}`])];
    const facts = [
      ...[copySinceText(s.started, s.running)].flatMap((since) => (since === null ? [] : [`running ${since}`])),
      ...(s.wasPrimary === undefined ? [] : [`Primary ${primarySpanText(s.wasPrimary)}`]),
      ...(s.primary === undefined ? [] : [`Primary ${seenText(s.primary)}`]),
    ];
    return `${[s.host, ...tags].join(', ')}: ${facts.length === 0 ? 'no time known' : facts.join(', ')}`;
  };
  return `; ${sides.map(side).join('; ')}${d?.primaryLonger === undefined ? '' : `; Primary longer on ${d.primaryLonger}`}`;
}
