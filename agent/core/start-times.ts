import { parseXenStartTime } from '../parse/xen-start-time.js';
import { log } from './effects.js';
import type { StartTimeAnswer } from './events.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * Since when each domain has run here, as Xen says it: libxl's start_time under the domain's
 * `/vm` path (parse/xen-start-time.ts). Neither `xl list` nor the events say it, and after a split
 * brain it tells the person choosing the copy to keep how long each copy has run, which the
 * controller alone knows only from when it first saw a copy. Read once per domain id (libxl
 * writes it once, and a migration's arrival has a new id here), like the naming in
 * xenstore-names.ts, and only under xl: xend writes its own value of the key and carries the
 * sender's across a migration, so under xm the time stays unknown.
 */
export interface XenStart {
  readonly name: string;
  /** ms since the epoch on this Dom0's clock; null: not answered yet, not written, or unreadable */
  readonly at: number | null;
}

export function readStartTimes(s: AgentState, fx: Fx): AgentState {
  // not before READY, as the naming: two tool runs per domU
  if (s.domains === null || s.phase !== 'running' || s.toolstack !== 'xl') return s;
  const live = new Map<number, string>();
  for (const d of s.domains) {
    // a migration's receiving half gets its time when the stream is done: read once it is renamed
    if (d.domid === null || d.domid === 0 || d.migration !== null || d.baseName === null || d.state === 'dying' || d.state === 'shutdown') continue;
    live.set(d.domid, d.name);
  }
  const kept = new Map([...s.startTimes].filter(([id, t]) => live.get(id) === t.name));
  const fresh = [...live].filter(([domid]) => !kept.has(domid)).map(([domid, name]) => ({ domid, name }));
  for (const d of fresh) kept.set(d.domid, { name: d.name, at: null });
  // every domain new to the agent in one effect: at READY that is all of them, read in two tool runs
  if (fresh.length > 0) fx.push({ e: 'read-start-times', domains: fresh });
  return fresh.length > 0 || kept.size !== s.startTimes.size ? { ...s, startTimes: kept } : s;
}

/** The answers of one read-start-times, each as onStartTimeRead takes it. */
export function onStartTimesRead(s: AgentState, fx: Fx, reads: readonly StartTimeAnswer[]): AgentState {
  return reads.reduce((n, r) => onStartTimeRead(n, fx, r), s);
}

/**
 * A start_time read for DOMID named NAME: VALUE as xenstore-read printed it (null: no such key),
 * or the PROBLEM of the read. A value that is not libxl's is unknown, said once (the read is
 * never asked again for that domain id), and never stops anything.
 */
function onStartTimeRead(s: AgentState, fx: Fx, { domid, name, value, problem }: StartTimeAnswer): AgentState {
  const held = s.startTimes.get(domid);
  if (held === undefined || held.name !== name) return s;
  if (problem !== null) {
    fx.push(log('warn', `cannot read since when Xen has run ${name} (domain ${domid}), its start time stays unknown: ${problem}`, { domu: name }));
    return s;
  }
  if (value === null) return s;
  const at = parseXenStartTime(value);
  if (!at.ok) {
    fx.push(log('warn', `${name}'s start time in xenstore (domain ${domid}, start_time under its /vm path) is not libxl's: ${at.error}; its start time stays unknown`, { domu: name }));
    return s;
  }
  return { ...s, startTimes: new Map(s.startTimes).set(domid, { name, at: at.value }), dirty: true };
}
