import { andList } from '../../shared/text/and-list.js';
import { parseXenStartTime } from '../parse/xen-start-time.js';
import { log } from './effects.js';
import type { StartTimeAnswer } from './events.js';
import type { AgentState } from './state.js';
import { arm, disarm, type Fx } from './timers.js';

/**
 * Since when each domain has run here, as Xen says it: libxl's start_time under the domain's
 * `/vm` path (parse/xen-start-time.ts). Neither `xl list` nor the events say it, and after a split
 * brain it tells the person choosing the copy to keep how long each copy has run, which the
 * controller alone knows only from when it first saw a copy. Read per domain id (libxl writes it
 * once, and a migration's arrival has a new id here), like the naming in xenstore-names.ts, and
 * only under xl: xend writes its own value of the key and carries the sender's across a
 * migration, so under xm the time stays unknown.
 */
export interface XenStart {
  readonly name: string;
  /** ms since the epoch on this Dom0's clock; null: not answered yet, not written, or unreadable */
  readonly at: number | null;
  /** reads asked for this domain id so far */
  readonly tries: number;
  /** 'reading': a read is out; a time: the next read is due then; null: no more (known, or not libxl's) */
  readonly next: 'reading' | number | null;
}

/**
 * A read that failed (xenstored busy or restarting, the key not written yet right after a
 * migration's arrival) is asked again after these waits, on the clock: four reads over 85 s.
 */
export const START_TIME_RETRY_MS: readonly number[] = [5_000, 20_000, 60_000];
/**
 * After those, every START_TIME_SLOW_MS until it is read or the domain's id changes: a xenstored
 * down for an hour costs six runs an hour for every domain it failed, and once it is back the
 * times come without restarting the agent. Said once, when the quick tries end.
 */
export const START_TIME_SLOW_MS = 10 * 60_000;
const TIMER = 'start-times';

export function readStartTimes(s: AgentState, fx: Fx): AgentState {
  // not before READY, as the naming: the first decisions should not share the machine with tool runs they do not need
  if (s.domains === null || s.phase !== 'running' || s.toolstack !== 'xl') return s;
  const live = new Map<number, string>();
  for (const d of s.domains) {
    // a migration's receiving half gets its time when the stream is done: read once it is renamed
    if (d.domid === null || d.domid === 0 || d.migration !== null || d.baseName === null || d.state === 'dying' || d.state === 'shutdown') continue;
    live.set(d.domid, d.name);
  }
  const kept = new Map([...s.startTimes].filter(([id, t]) => live.get(id) === t.name));
  const fresh = [...live].filter(([domid]) => !kept.has(domid)).map(([domid, name]) => ({ domid, name }));
  for (const d of fresh) kept.set(d.domid, { name: d.name, at: null, tries: 1, next: 'reading' });
  // every domain new to the agent in one effect: at READY that is all of them, read in two tool runs
  if (fresh.length > 0) fx.push({ e: 'read-start-times', domains: fresh });
  return fresh.length > 0 || kept.size !== s.startTimes.size ? { ...s, startTimes: kept } : s;
}

/** The retry timer fired: every read due by NOW asked again, in one effect. */
export function onStartTimesTimer(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.phase !== 'running' || s.toolstack !== 'xl') return s;
  const isDue = (t: XenStart): boolean => typeof t.next === 'number' && t.next <= now;
  // the slow reads ride along with any read due: domains given up at different times then share
  // one run, every period, rather than each its own
  const any = [...s.startTimes.values()].some(isDue);
  const due = [...s.startTimes].filter(([, t]) => isDue(t) || (any && slowNext(t)));
  if (due.length === 0) return armNext(s, fx, now);
  const startTimes = new Map(s.startTimes);
  for (const [domid, t] of due) startTimes.set(domid, { ...t, tries: t.tries + 1, next: 'reading' });
  fx.push({ e: 'read-start-times', domains: due.map(([domid, t]) => ({ domid, name: t.name })) });
  return armNext({ ...s, startTimes }, fx, now);
}

/**
 * The answers of one read-start-times. A value that is not libxl's is unknown, said once and not
 * asked again for that domain id; a read that failed or found no key is asked again
 * (START_TIME_RETRY_MS, then START_TIME_SLOW_MS), and once the last quick try failed too, said once
 * for every domain that failed with the same problem. Nothing here stops anything.
 */
export function onStartTimesRead(s: AgentState, fx: Fx, reads: readonly StartTimeAnswer[], now: number): AgentState {
  const startTimes = new Map(s.startTimes);
  const givenUp = new Map<string, { name: string; domid: number }[]>();
  let dirty = false;
  for (const { domid, name, value, problem } of reads) {
    const held = startTimes.get(domid);
    if (held === undefined || held.name !== name || held.next !== 'reading') continue;
    const at = problem === null && value !== null ? parseXenStartTime(value) : null;
    if (at?.ok === true) {
      startTimes.set(domid, { ...held, at: at.value, next: null });
      dirty = true;
      // said, as its giving up was
      if (held.tries > START_TIME_RETRY_MS.length + 1) fx.push(log('info', `read since when Xen has run ${name} (domain ${domid}) after ${held.tries} tries: its start time is known`, { domu: name }));
    } else if (at !== null && !at.ok) {
      fx.push(log('warn', `${name}'s start time in xenstore (domain ${domid}, start_time under its /vm path) is not libxl's: ${at.error}; its start time stays unknown`, { domu: name }));
      startTimes.set(domid, { ...held, next: null });
    } else {
      const wait = START_TIME_RETRY_MS[held.tries - 1] ?? START_TIME_SLOW_MS;
      startTimes.set(domid, { ...held, next: now + wait });
      const why = problem ?? 'xenstore holds no start_time for it';
      if (held.tries === START_TIME_RETRY_MS.length + 1) givenUp.set(why, [...(givenUp.get(why) ?? []), { name, domid }]);
    }
  }
  for (const [why, ds] of givenUp) {
    const one = ds.length === 1 ? 'its start time stays unknown and is' : 'their start times stay unknown and are';
    const names = andList(ds.map((d) => `${d.name} (domain ${d.domid})`));
    fx.push(log('warn', `cannot read since when Xen has run ${names} after ${START_TIME_RETRY_MS.length + 1} tries, ${one} asked again every ${START_TIME_SLOW_MS / 60_000} minutes: ${why}`, ds.length === 1 ? { domu: ds[0]?.name } : {}));
  }
  const n = { ...s, startTimes, dirty: s.dirty || dirty };
  return armNext(n, fx, now);
}

/** a read due at the slow period: the quick tries are over */
const slowNext = (t: XenStart): boolean => typeof t.next === 'number' && t.tries > START_TIME_RETRY_MS.length;

/** The retry timer armed for the earliest read due, or disarmed when none is. */
function armNext(s: AgentState, fx: Fx, now: number): AgentState {
  const due = [...s.startTimes.values()].flatMap((t) => (typeof t.next === 'number' ? [t.next] : []));
  if (due.length === 0) return disarm(s, fx, TIMER);
  return arm(s, fx, TIMER, Math.min(...due) - now);
}
