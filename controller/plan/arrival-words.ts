import { spanText } from '../../shared/text/span-text.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { ArrivalLimits, Unheard } from './arrival-wait.js';

/** The one sentence of a move's agent: "xen1's agent reported web1 moved to xen2 (its message)". */
export interface MoveSaid {
  /** the host whose agent ran the move and called it done */
  readonly agent: string;
  readonly name: string;
  /** where it went, as the operator reads it ("xen2", "its peer") */
  readonly to: string;
  /** the agent's own message, when it is passed on */
  readonly said: string | null;
}

const reported = (m: MoveSaid): string => `${m.agent}'s agent reported ${m.name} moved to ${m.to}${m.said !== null ? ` (${m.said})` : ''}`;

const lastHeard = (u: Unheard, now: number): string => (u.lastSeen === null ? 'never heard from' : `last heard from at ${utcMinuteText(u.lastSeen)}, ${spanText(now - u.lastSeen)} ago`);

/** Why a move's confirmation waits past arrivalWaitMs (arrival-wait.ts): which host is silent, since when, and how long it is waited for. */
export const unheardWaitText = (m: MoveSaid, u: Unheard, now: number, limits: ArrivalLimits): string =>
  `the reports do not show ${m.name} moved yet, and ${u.host} has not been heard from since ${m.agent}'s agent reported it done (${lastHeard(u, now)}): ` +
  `its silence is not taken for a disagreement; waiting for ${u.host} to report again, up to ${spanText(limits.settleTimeoutMs)} in all`;

/** The sentence of a move the agent called done while a host its reports wait on was not heard from since, within waitedMs. */
export const unheardText = (m: MoveSaid, u: Unheard, waitedMs: number, now: number): string =>
  `${reported(m)}, but ${u.host} was not heard from since (its agent unreachable for ${spanText(waitedMs)}): ` +
  `where it runs is unknown here (${u.host} was ${lastHeard(u, now)}); check \`xenherdctl where ${m.name}\` once ${u.host} reports again, and both hosts' xl list before anything else`;
