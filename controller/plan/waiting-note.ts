import type { HostBlock, Leftover } from '../../shared/protocol/ctl-jobs.js';
import { andList } from '../../shared/text/and-list.js';
import { utcSecondText } from '../../shared/text/utc-time.js';

/** The most domUs a group of the note names; the job's end and `--json` name every one. */
const NAMED_UP_TO = 8;
/** The most reasons the note spells out. */
const REASONS_UP_TO = 5;

/**
 * What makes two waiting domUs wait alike. A DRBD pair out of step names the domU's own resource
 * in its sentence, so those group by the pair's hosts and state; any other sentence differs only
 * by the domU's name.
 */
function reasonOf(l: Leftover): string {
  const b = l.blocker;
  if (b.kind === 'drbd-not-ready') return `drbd ${b.host} ${b.target} ${b.state} ${b.clearsUp}`;
  return `${b.kind} ${l.message.split(l.name).join('\u0000')}`;
}

const names = (ls: readonly Leftover[]): string => {
  const shown = ls.slice(0, NAMED_UP_TO).map((l) => l.name);
  return ls.length > NAMED_UP_TO ? `${shown.join(', ')} and ${ls.length - NAMED_UP_TO} more` : shown.join(', ');
};

/**
 * The note a job writes while domUs wait for something that clears up by itself. A roll's group
 * back from its reboot waits for the DRBD links of every domU it brings home: each domU's whole
 * sentence, runbook included, made a line cut off mid-word at a few domUs, naming neither the
 * others nor how many waited. Alike ones are said once, with their count and names. KEY changes
 * only when the reasons do: the line is not said again each time one domU of a group is ready.
 */
export function waitingNote(waiting: readonly Leftover[]): { readonly line: string; readonly key: string } {
  const groups = new Map<string, { readonly first: Leftover; readonly all: Leftover[] }>();
  for (const l of waiting) {
    const k = reasonOf(l);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, { first: l, all: [l] });
    else g.all.push(l);
  }
  const said = [...groups.values()].slice(0, REASONS_UP_TO).map((g) => (g.all.length === 1 ? g.first.message : `${g.all.length} domUs (${names(g.all)}) alike, e.g. ${g.first.message}`));
  const more = groups.size - said.length;
  const rest = more > 0 ? `; and ${more} more reason${more === 1 ? '' : 's'} (the job's end names each domU)` : '';
  const count = waiting.length === 1 ? '' : ` (${waiting.length} domUs)`;
  return { line: `waiting${count}: ${said.join('; ')}${rest}`, key: [...groups.keys()].sort().join('\n') };
}

const UNHEARD: ReadonlySet<HostBlock> = new Set(['unreachable', 'stale', 'not-reported']);

/** The unheard Dom0s L waits for: its own host that cannot be asked, a visitor's home, or every target it has. */
function unheardOf(l: Leftover): string[] {
  const b = l.blocker;
  if (b.kind === 'source-unavailable') return UNHEARD.has(b.why) ? [b.host] : [];
  if (b.kind === 'visitor') return UNHEARD.has(b.why) ? [b.home] : [];
  if (b.kind === 'targets-unavailable' && b.targets.length > 0 && b.targets.every((t) => UNHEARD.has(t.why))) return b.targets.map((t) => t.host);
  return [];
}

/**
 * What ends a wait, for the waiting note. On a Dom0 not heard from: a Dom0 that died at night looks
 * to the job like an agent restarting, so it waits; the note said only "is unreachable", and the
 * operator could not tell whether the job would wait forever. UNTIL: when the last of them stops
 * being waited for; JOBID: the job's, for its cancel. With no unheard Dom0, what ends a wait on a
 * DRBD pair instead (drbdWaitWords); empty when neither.
 */
export function waitEndWords(waiting: readonly Leftover[], limitMs: number, until: number, jobId: string | null): string {
  const hosts = [...new Set(waiting.flatMap(unheardOf))].sort();
  const cancel = jobId === null ? '`xenherdctl cancel JOB` (`xenherdctl jobs` names it)' : `\`xenherdctl cancel ${jobId}\``;
  if (hosts.length === 0) return drbdWaitWords(waiting, until, cancel);
  const them = hosts.length === 1 ? `${hosts[0]}'s agent` : `the agents of ${andList(hosts)}`;
  return `; this job waits for ${them} up to ${Math.round(limitMs / 60_000)} min (until ${utcSecondText(until)}): a report from it ends the wait and the moves go on, else the job ends then naming what is left (run it again once the Dom0 is back); if the Dom0 is down (its console, its power), ${cancel} ends the job now`;
}

/**
 * When a wait on a DRBD pair ends: its note is said once and the job is silent after it, so a pair
 * cut by the network (WFConnection, Connecting: DRBD gets there only once the network is back)
 * left the operator minutes before a bare "waiting" line with no end time and no way out named.
 * Empty when no DRBD pair is waited for.
 */
function drbdWaitWords(waiting: readonly Leftover[], until: number, cancel: string): string {
  if (!waiting.some((l) => l.blocker.kind === 'drbd-not-ready')) return '';
  return `; this job waits until ${utcSecondText(until)}, then ends naming what is left; when DRBD cannot get there by then (the network between the Dom0s down), ${cancel} ends the job now`;
}
