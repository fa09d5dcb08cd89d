import type { HostState } from '../../shared/protocol/agent-link-state.js';

/**
 * What the controller holds about one Dom0: the agent's last reported state and how current it
 * is. Times are ms on the controller's clock (never the agent's: their clocks may disagree).
 */
export interface HostRecord {
  readonly host: string;
  readonly bootId: string | null;
  readonly agentVersion: string | null;
  readonly capabilities: readonly string[];
  /** the agent's link is open now */
  readonly linkUp: boolean;
  /** when the controller last received anything from this agent; null: never */
  readonly lastSeen: number | null;
  /** the last snapshot with deltas applied; null until the first snapshot */
  readonly state: HostState | null;
}

export const newHostRecord = (host: string): HostRecord => ({ host, bootId: null, agentVersion: null, capabilities: [], linkUp: false, lastSeen: null, state: null });

/** Reachable: the link is up and the agent was heard from within staleAfterMs. */
export const isReachable = (r: HostRecord, now: number, staleAfterMs: number): boolean =>
  r.linkUp && r.lastSeen !== null && now - r.lastSeen <= staleAfterMs;

export const ageOf = (r: HostRecord, now: number): number | null => (r.lastSeen === null ? null : Math.max(0, now - r.lastSeen));

/** The fleet-wide timing the views need. */
export interface Freshness {
  readonly now: number;
  readonly staleAfterMs: number;
}
