import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * Every running domU learns its Dom0 from xenstore (it reads `data/xenherd/dom0` and
 * `data/xenherd/since` in its own area): written once per domain id, so again when a domU arrives
 * here by migration (it has a new id here). A kernel command-line token would go stale on the
 * first migration; this follows the domU. Both keys go in one `xenstore-write` (one tool run per
 * domU, one transaction: a domU sees both or neither).
 */
export function nameDom0InGuests(s: AgentState, fx: Fx, now: number): AgentState {
  // not before READY: naming is a tool run per domU, and the first decisions (events2's initial
  // dump, the decisions themselves) should not share the machine with a burst of them; the
  // domUs are named at READY (reduce.ts) and on every list read after
  if (s.domains === null || s.phase !== 'running') return s;
  const live = new Map<number, string>();
  for (const d of s.domains) {
    if (d.domid === null || d.domid === 0 || d.migration !== null || d.baseName === null || d.state === 'dying' || d.state === 'shutdown') continue;
    live.set(d.domid, d.name);
  }
  const named = new Map([...s.xenstoreNamed].filter(([id, name]) => live.get(id) === name));
  let changed = named.size !== s.xenstoreNamed.size;
  for (const [domid, name] of live) {
    if (named.has(domid)) continue;
    const area = `/local/domain/${domid}/data/xenherd`;
    fx.push({ e: 'xenstore-write', domid, name, values: { [`${area}/dom0`]: s.host, [`${area}/since`]: new Date(now).toISOString() } });
    named.set(domid, name);
    changed = true;
  }
  return changed ? { ...s, xenstoreNamed: named } : s;
}
