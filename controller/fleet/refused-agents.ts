import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { HostView } from '../../shared/protocol/ctl-hosts.js';
import type { CheckProblem } from './check-conditions.js';

/** An agent link of a host refused for its token: the token id bound to the host, the refusal's words, since when and last. */
export interface RefusedAgent {
  readonly tokenId: string;
  readonly reason: string;
  readonly since: number;
  readonly lastAt: number;
}

/**
 * The hosts whose agent keeps dialling with a token the controller refuses. Without it such a Dom0
 * reads as a dead one (unreachable, what runs there unknown) while the controller's own log says
 * at every retry that it refused the link, and why. Only a refusal of a token id enrolled for a
 * host counts (a wrong secret for that id): an unknown id names no host, so a scanner's guesses
 * add nothing here. One entry per host, the last refusal's words, so it holds at most as many
 * entries as there are enrolled hosts, however often an agent retries.
 */
export class RefusedAgents {
  private readonly byHost = new Map<string, RefusedAgent>();

  refused(host: string, tokenId: string, reason: string, at: number): void {
    const was = this.byHost.get(host);
    const since = was !== undefined && was.tokenId === tokenId ? was.since : at;
    this.byHost.set(host, { tokenId, reason, since, lastAt: at });
  }

  /** HOST's agent got in (its token valid again), or HOST left the fleet. */
  clear(host: string): void {
    this.byHost.delete(host);
  }

  of(host: string): RefusedAgent | undefined {
    return this.byHost.get(host);
  }
}

/** What to do about HOST whose agent's links are refused for their token. */
export const refusedAgentText = (host: string, r: RefusedAgent): string =>
  `its agent connects but its token is refused (${r.reason}) since ${utcMinuteText(r.since)}: enroll it again: xenherd-controller enroll ${host}, and put the token it prints in its agent.json`;

/** Where to look for a Dom0 whose agent is simply not heard: the Dom0, then the agent on it. */
export const unheardAgentText = (host: string): string =>
  `check that ${host} is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent`;

const UNHEARD = new Set<CheckProblem['kind']>(['host-unreachable', 'host-not-reported', 'host-unreachable-in-maintenance']);

/**
 * PROBLEMS with each unreachable host's line saying what to look at: the refused token, when the
 * controller refuses that host's links (REFUSED), else the Dom0 and its agent's unit.
 */
export function withUnheardAdvice(problems: readonly CheckProblem[], refused: (host: string) => RefusedAgent | undefined): CheckProblem[] {
  return problems.map((p) => {
    if (!UNHEARD.has(p.kind)) return p;
    const r = refused(p.subject);
    return r === undefined ? { ...p, text: `${p.text}: ${unheardAgentText(p.subject)}` } : { ...p, short: `${p.subject} agent token refused`, text: `${p.text}: ${refusedAgentText(p.subject, r)}` };
  });
}

/** VIEWS with each host not reachable whose links are refused for their token saying so. */
export function withTokenRefusals(views: HostView[], refused: (host: string) => RefusedAgent | undefined): HostView[] {
  return views.map((v) => {
    const r = v.reachable ? undefined : refused(v.host);
    return r === undefined ? v : { ...v, tokenRefused: { tokenId: r.tokenId, reason: r.reason, since: r.since } };
  });
}
