import { andList } from '../../shared/text/and-list.js';
import { log } from './effects.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * Every running domU learns its Dom0 from xenstore (it reads `data/xenherd/dom0` and
 * `data/xenherd/since` in its own area): written once per domain id, so again when a domU arrives
 * here by migration (it has a new id here). A kernel command-line token would go stale on the
 * first migration; this follows the domU. Every domU new here goes in one effect, written in as
 * few `xenstore-write` runs as their pairs fit (adapters/xenstore-write-batches.ts): at READY on
 * a Dom0 with 80 domUs that is two tool runs, not 80. A domU's two keys are always in the same
 * run, one transaction: it sees both or neither.
 */
export function nameDom0InGuests(s: AgentState, fx: Fx, now: number): AgentState {
  // not before READY: the first decisions (events2's initial dump, the decisions themselves)
  // should not share the machine with tool runs they do not need; the domUs are named at READY
  // (reduce.ts) and on every list read after
  if (s.domains === null || s.phase !== 'running') return s;
  const live = new Map<number, string>();
  for (const d of s.domains) {
    if (d.domid === null || d.domid === 0 || d.migration !== null || d.baseName === null || d.state === 'dying' || d.state === 'shutdown') continue;
    live.set(d.domid, d.name);
  }
  const named = new Map([...s.xenstoreNamed].filter(([id, name]) => live.get(id) === name));
  const since = new Date(now).toISOString();
  const domus = [...live].filter(([domid]) => !named.has(domid)).map(([domid, name]) => {
    const area = `/local/domain/${domid}/data/xenherd`;
    named.set(domid, name);
    return { domid, name, values: { [`${area}/dom0`]: s.host, [`${area}/since`]: since } };
  });
  if (domus.length > 0) fx.push({ e: 'xenstore-write', domus });
  return domus.length > 0 || named.size !== s.xenstoreNamed.size ? { ...s, xenstoreNamed: named } : s;
}

/**
 * The domUs a xenstore-write could not name, one warning per cause: a run that failed whole (xenstored
 * down) fails every domU in it, said once, not once per domU.
 */
export function onXenstoreWritten(s: AgentState, fx: Fx, failed: readonly { readonly domid: number; readonly name: string; readonly problem: string }[]): AgentState {
  const byProblem = new Map<string, { domid: number; name: string }[]>();
  for (const f of failed) byProblem.set(f.problem, [...(byProblem.get(f.problem) ?? []), f]);
  for (const [problem, ds] of byProblem) {
    const [one] = ds;
    const where = ds.length === 1 && one !== undefined ? `${one.name}'s xenstore area (domain ${one.domid})` : `the xenstore areas of ${andList(ds.map((d) => `${d.name} (domain ${d.domid})`))}`;
    fx.push(log('warn', `cannot name this Dom0 in ${where}: ${problem}`, ds.length === 1 && one !== undefined ? { domu: one.name } : {}));
  }
  return s;
}
