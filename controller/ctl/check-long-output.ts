import { countedKind, kindWords } from '../../shared/protocol/ctl-check-kinds.js';
import type { CheckDetail, CheckStatus } from '../../shared/protocol/ctl-check.js';
import { andList } from '../../shared/text/and-list.js';

/**
 * Nagios Core keeps 8 KB of a plugin's output, status line included (MAX_PLUGIN_OUTPUT_LENGTH,
 * 8192 bytes), and cuts the rest without a word; NRPE 3/4 pass 64 KB, so the cut would fall
 * in Nagios, after the lines that matter might already be gone. The output stays under it.
 */
export const OUTPUT_LIMIT = 8000;
/** A kind with more problems than this is one line: 400 domUs away read as one fact, not 400. */
const FOLD_AFTER = 5;
/** Names on a folded line: enough to recognise a pattern (a rack, a pair), never a wall of them. */
const NAMED_ON_LINE = 20;
/** Bytes kept for the line that says what was left out. */
const LEFT_OUT_ROOM = 320;

/** One line of the long output and how many problems it speaks for. */
interface LongLine {
  readonly status: CheckStatus;
  readonly text: string;
  readonly problems: number;
}

/** A kind's problems as lines: a line each up to FOLD_AFTER, past it one line naming the first NAMED_ON_LINE. */
function foldRun(run: readonly CheckDetail[]): LongLine[] {
  const first = run[0];
  if (first === undefined) return [];
  const words = first.kind === undefined ? null : kindWords(first.kind);
  if (run.length <= FOLD_AFTER || words === null) return run.map((d) => ({ status: d.status, text: d.text, problems: 1 }));
  const names = run.slice(0, NAMED_ON_LINE).map((d) => d.subject ?? '');
  const more = run.length > names.length ? `, ... (${run.length - names.length} more)` : '';
  return [{ status: first.status, text: `${countedKind(run.length, words)}: ${names.join(', ')}${more} (${words.listedBy} lists them)`, problems: run.length }];
}

/**
 * The Dom0s D only waits for, in words: `waitsFor`, or `waitsForAll` (a DRBD 9 resource cut from
 * several, none of which its words name) as "xen1 and xen3"; null when it waits for no one.
 */
const waitingFor = (d: CheckDetail): string | null => d.waitsFor ?? (d.waitsForAll === undefined ? null : andList(d.waitsForAll));

/**
 * The problems of a run that only wait for one unreachable Dom0 (`waitsFor`; or one not reported
 * yet within the controller's start-up grace, `notReportedYet`), one line per Dom0, or per set of
 * Dom0s (`waitsForAll`: three-node resources whose two other Dom0s are both gone):
 * with Dom0s powered off, each partner's waiting link is no news beside that Dom0's own line, and
 * one line each would push a link really cut out of what a pager shows. A lone one keeps its text.
 */
function waitingLines(run: readonly CheckDetail[]): LongLine[] {
  const byHost = new Map<string, CheckDetail[]>();
  for (const d of run) {
    const on = waitingFor(d);
    if (on === null) continue;
    const l = byHost.get(on);
    if (l === undefined) byHost.set(on, [d]);
    else l.push(d);
  }
  return [...byHost].map(([host, ds]): LongLine => {
    const first = ds[0] as CheckDetail;
    const words = first.kind === undefined ? null : kindWords(first.kind);
    if (ds.length === 1 || words === null) return { status: first.status, text: first.text, problems: 1 };
    const names = ds.slice(0, NAMED_ON_LINE).map((d) => d.subject ?? '');
    const more = ds.length > names.length ? `, ... (${ds.length - names.length} more)` : '';
    // within the controller's start-up grace the Dom0 is "not reported yet", as status and hosts call it
    const why = ds.some((d) => d.notReportedYet === true) ? 'not reported yet' : 'unreachable';
    return { status: first.status, text: `${countedKind(ds.length, words)}, waiting for ${host}, ${why}: ${names.join(', ')}${more}; ${afterWaiting(host, ds)} (${words.listedBy} lists them)`, problems: ds.length };
  });
}

/** At most this many domUs by name in the words of what may be down; the rest counted. */
const NAMED_DOWN = 5;

/**
 * How the line of DS, waiting for HOST, ends: that they clear once it is back; but when some say no
 * Dom0 heard now writes them (`mayBeDown`), that would read as "wait for it" while their domUs
 * may be down with HOST: what its own line says to do then is what counts.
 */
function afterWaiting(host: string, ds: readonly CheckDetail[]): string {
  if (!ds.some((d) => d.mayBeDown !== undefined)) return `they clear once ${host} ${ds.some((d) => d.waitsForAll !== undefined) ? 'are' : 'is'} back`;
  const domus = [...new Set(ds.flatMap((d) => d.mayBeDown ?? []))].sort();
  const named = domus.length <= NAMED_DOWN ? andList(domus) : `${domus.slice(0, NAMED_DOWN).join(', ')} and ${domus.length - NAMED_DOWN} more`;
  const down = domus.length === 0 ? 'what used them there is' : `${named} ${domus.length === 1 ? 'is' : 'are'}`;
  return `no Dom0 heard now writes some of them: if ${host} is down, ${down} down with it (${host}'s line says what to do)`;
}

/**
 * DETAILS (worst first, each kind's together, as the controller ranks them) with every kind of
 * more than FOLD_AFTER problems folded into one line naming the first NAMED_ON_LINE, and those
 * waiting for an unreachable Dom0 said once per Dom0 after the rest of their kind. Details of a
 * controller older than `kind` and `subject` stay one line each.
 */
function folded(details: readonly CheckDetail[]): LongLine[] {
  const runs: CheckDetail[][] = [];
  for (const d of details) {
    const run = runs[runs.length - 1];
    const prev = run?.[0];
    if (run !== undefined && prev !== undefined && d.kind !== undefined && d.subject !== undefined && prev.kind === d.kind && prev.status === d.status && prev.subject !== undefined) run.push(d);
    else runs.push([d]);
  }
  return runs.flatMap((run) => [...foldRun(run.filter((d) => waitingFor(d) === null)), ...waitingLines(run)]);
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8') + 1;

/** "2 critical, 310 warning" */
const byStatus = (left: readonly LongLine[]): string => {
  const n = new Map<CheckStatus, number>();
  for (const l of left) n.set(l.status, (n.get(l.status) ?? 0) + l.problems);
  return [...n].map(([s, k]) => `${k} ${s}`).join(', ');
};

/**
 * The long output under a status line of STATUS_BYTES: the folded lines, worst first, as many as
 * keep the whole output within OUTPUT_LIMIT, then a line saying how many problems were left out
 * and where each is listed. LINE renders a line as printed (the status word, text made safe).
 */
export function longOutput(details: readonly CheckDetail[], statusBytes: number, line: (status: CheckStatus, text: string) => string): string[] {
  const lines = folded(details);
  const out: string[] = [];
  let used = statusBytes;
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i] as LongLine;
    const text = line(l.status, l.text);
    // the last line needs no room kept after it: nothing would be left out
    if (used + bytes(text) + (i === lines.length - 1 ? 0 : LEFT_OUT_ROOM) > OUTPUT_LIMIT) break;
    out.push(text);
    used += bytes(text);
  }
  const left = lines.slice(i);
  if (left.length === 0) return out;
  const problems = left.reduce((n, l) => n + l.problems, 0);
  out.push(
    `... ${problems} more problem${problems === 1 ? '' : 's'} (${byStatus(left)}) left out to keep this output under 8 KB: xenherdctl check --json lists every one; xenherdctl status lists the hosts and alerts, xenherdctl where '*' the domUs`,
  );
  return out;
}
