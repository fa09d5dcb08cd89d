import type { ChildCommand } from './effects.js';
import type { AgentState, ReplyError } from './state.js';
import { leftoverRefusal } from './leftover-creates.js';

/**
 * What only the daemon can check before it starts a command's child process: facts the child
 * cannot read itself, because they live in this agent's memory — the controller's fleet view,
 * and the maintenance flag as this agent keeps it (with the lease of its owner). Pure.
 */
export function refusalBeforeSpawn(s: AgentState, c: ChildCommand): ReplyError | null {
  const leftover = leftoverRefusal(s, c.name);
  if (leftover !== null) return { code: 'XH_ERR_LOCKED', message: leftover };
  // a controller shuts a domU down only as a drain's cold fallback (its away record says drain),
  // so a shutdown is a drain's move as much as its live migrate is, and held to the same owner
  if ((c.op === 'migrate' && c.reason === 'drain') || c.op === 'shutdown') {
    const m = s.maintenance;
    // a drain's moves are its own: another drain (or none) must not move domUs off this host
    if (m.state !== 'draining' || m.operationId !== c.operationId) {
      const now = m.state === 'draining' ? `draining for operation ${m.operationId ?? '(none)'}` : m.state;
      const what = c.op === 'shutdown' ? `a drain's cold shutdown of ${c.name}` : `a drain move of ${c.name}`;
      return { code: 'XH_ERR_LOCKED', message: `${what} for operation ${c.operationId}, but ${s.host} is ${now}: only the drain that set the host draining moves its domUs` };
    }
  }
  if (c.op === 'start') {
    // the view may lag, never in the dangerous direction: whatever it shows running elsewhere may still run there
    const view = s.link.fleet?.runningOn;
    const elsewhere = (view && Object.hasOwn(view, c.name) ? (view[c.name] ?? []) : []).filter((h) => h !== s.host);
    if (elsewhere.length > 0) return { code: 'XH_ERR_REFUSED', message: `the controller sees ${c.name} running on ${elsewhere.join(', ')}: not started on ${s.host}` };
  }
  return null;
}
