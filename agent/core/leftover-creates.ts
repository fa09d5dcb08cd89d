import { log } from './effects.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * An `xl create` an earlier agent left running: killed mid-start, it could not stop the create
 * (KillMode=process lets it finish). This agent is READY and talks to its controller meanwhile;
 * only that domU waits. It is decided on nothing (core/busy.ts), held for no migration and started
 * by no command until the create ends, and then only once what the earlier start took Primary is
 * given back where nothing uses it (run/agent-core.ts): a second start beside the first could run
 * the domU twice, and a demotion under a create still building the domain would pull its disk.
 */
export interface LeftoverCreate {
  readonly createPid: number;
  readonly since: number;
  /**
   * the create has ended, but DRBD refused to give these back (not for a domain holding them): the
   * domU waits on, as after a start's own refused release (core/claims.ts), while they are tried again
   */
  readonly kept?: readonly string[];
}

export function onLeftoverCreate(s: AgentState, fx: Fx, name: string, createPid: number, running: boolean, now: number, kept?: readonly string[]): AgentState {
  const left = new Map(s.leftoverCreates);
  if (running) return { ...s, leftoverCreates: left.set(name, { createPid, since: left.get(name)?.since ?? now, ...(kept === undefined ? {} : { kept }) }) };
  const was = left.get(name);
  if (!left.delete(name)) return s;
  if (was?.kept !== undefined) fx.push(log('info', `what a start of ${name} from before this agent started took Primary is given back now: ${name} is decided again`, { domu: name, resources: was.kept }));
  else fx.push(log('info', `the xl create of ${name} from before this agent started has ended: ${name} is decided again`, { domu: name, createPid }));
  return { ...s, leftoverCreates: left, dirty: true };
}

/** why NAME cannot be held, started or moved now; null: no leftover create of it runs */
export function leftoverRefusal(s: AgentState, name: string): string | null {
  const c = s.leftoverCreates.get(name);
  if (c?.kept !== undefined) return `${c.kept.join(', ')} stay Primary from a start of ${name} from before this agent started, which DRBD refused to give back: nothing is done about ${name} until they are given back (tried again meanwhile; the journal says why)`;
  return c === undefined ? null : `an xl create of ${name} from before this agent started is still running (pid ${c.createPid}): nothing is done about ${name} until it ends`;
}

/** for `autostart status`: a create hung in a hotplug script shows there, not only in the journal */
export function leftoverWarnings(s: AgentState): string[] {
  return [...s.leftoverCreates].map(([name, c]) => (c.kept !== undefined ? (leftoverRefusal(s, name) ?? name) : `${leftoverRefusal(s, name) ?? name}; \`ps -o etime,args -p ${c.createPid}\` shows how long it has run (a hung hotplug script?)`));
}
