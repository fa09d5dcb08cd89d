import { andList } from '../../shared/text/and-list.js';
import { parseXenStartTime } from '../parse/xen-start-time.js';
import { log } from './effects.js';
import type { StartTimeAnswer } from './events.js';
import type { AgentState } from './state.js';
import { afterGivingUp, earliestDue, isDue, isSlow, lastQuickTry, QUICK_RETRY_MS, retryWait, SLOW_RETRY_MS } from './retry-schedule.js';
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
  // the slow reads ride along with any read due: domains given up at different times then share
  // one run, every period, rather than each its own
  const any = [...s.startTimes.values()].some((t) => isDue(t, now));
  const due = [...s.startTimes].filter(([, t]) => isDue(t, now) || (any && isSlow(t)));
  if (due.length === 0) return armNext(s, fx, now);
  const startTimes = new Map(s.startTimes);
  for (const [domid, t] of due) startTimes.set(domid, { ...t, tries: t.tries + 1, next: 'reading' });
  fx.push({ e: 'read-start-times', domains: due.map(([domid, t]) => ({ domid, name: t.name })) });
  return armNext({ ...s, startTimes }, fx, now);
}

/**
 * The answers of one read-start-times. A value that is not libxl's is unknown, said once and not
 * asked again for that domain id; a read that failed or found no key is asked again
 * (retry-schedule.ts), and once the last quick try failed too, said once
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
      if (afterGivingUp(held.tries)) fx.push(log('info', `read since when Xen has run ${name} (domain ${domid}) after ${held.tries} tries: its start time is known`, { domu: name }));
    } else if (at !== null && !at.ok) {
      fx.push(log('warn', `${name}'s start time in xenstore (domain ${domid}, start_time under its /vm path) is not libxl's: ${at.error}; its start time stays unknown`, { domu: name }));
      startTimes.set(domid, { ...held, next: null });
    } else {
      startTimes.set(domid, { ...held, next: now + retryWait(held.tries) });
      const why = problem ?? 'xenstore holds no start_time for it';
      if (lastQuickTry(held.tries)) givenUp.set(why, [...(givenUp.get(why) ?? []), { name, domid }]);
    }
  }
  for (const [why, ds] of givenUp) {
    const one = ds.length === 1 ? 'its start time stays unknown and is' : 'their start times stay unknown and are';
    const names = andList(ds.map((d) => `${d.name} (domain ${d.domid})`));
    fx.push(log('warn', `cannot read since when Xen has run ${names} after ${QUICK_RETRY_MS.length + 1} tries, ${one} asked again every ${SLOW_RETRY_MS / 60_000} minutes: ${why}`, ds.length === 1 ? { domu: ds[0]?.name } : {}));
  }
  const n = { ...s, startTimes, dirty: s.dirty || dirty };
  return armNext(n, fx, now);
}

/** The retry timer armed for the earliest read due, or disarmed when none is. */
function armNext(s: AgentState, fx: Fx, now: number): AgentState {
  const due = earliestDue(s.startTimes.values());
  return due === null ? disarm(s, fx, TIMER) : arm(s, fx, TIMER, due - now);
}
