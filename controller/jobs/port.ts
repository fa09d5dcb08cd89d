import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { CommandBody, ResultData } from '../../shared/protocol/agent-link.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { Result } from '../../shared/result.js';
import type { HostRecord } from '../fleet/host-record.js';
import type { Overlay, PlanFacts } from '../plan/facts.js';

/** An agent's answer to a command: its result, and the structured data some ops carry. */
export interface AgentAnswer {
  readonly outcome: CommandOutcome;
  readonly data: ResultData | null;
}

export interface AgentCall {
  readonly commandId: string;
  readonly answer: Promise<AgentAnswer>;
  /** ends the call now with this outcome (a late result from the agent is ignored) */
  expire(outcome: CommandOutcome): void;
}

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly onProgress?: (line: string) => void;
}

/**
 * What jobs need from the controller core, and nothing more: the fleet view as plan facts, the
 * agents' records, sending commands, and hearing of changes. The core implements it; tests may
 * too. Jobs never touch sockets or sessions.
 */
export interface FleetPort {
  readonly clock: Clock;
  readonly log: Logger;
  /** this controller's identity: the owner of the maintenance flags it claims */
  readonly identity: string;
  readonly staleAfterMs: number;
  newId(): string;
  facts(overlay?: Overlay): PlanFacts;
  record(host: string): HostRecord | undefined;
  /** sends a command to HOST's agent; refused when its link is down or it lacks the capability */
  call(host: string, body: CommandBody, opts?: CallOptions): Result<AgentCall, XhError>;
  /** fn runs after any host's state, link or boot changed (synchronously: callers coalesce) */
  onChange(fn: (host: string) => void): () => void;
}

/** Sends and waits; a refusal to send becomes the answer (its code), so callers handle one shape. */
export async function ask(port: FleetPort, host: string, body: CommandBody, opts: CallOptions = {}): Promise<AgentAnswer> {
  const c = port.call(host, body, opts);
  if (!c.ok) return { outcome: { ok: false, code: c.error.code, message: c.error.message, detail: null }, data: null };
  return c.value.answer;
}
