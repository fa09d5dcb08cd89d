import type { ErrorCode } from '../../shared/errors.js';
import type { Move, MovePhase } from '../../shared/protocol/ctl-jobs.js';
import type { LinkSpeed } from './link-speed.js';
import type { FleetPort } from './port.js';
import type { JobSettings } from './settings.js';

/** What running one move needs from its job. */
export interface MoveContext {
  readonly port: FleetPort;
  readonly settings: JobSettings;
  readonly speed: LinkSpeed;
  /** the operator, for the agents' audit logs: "ctl:admin" */
  readonly by: string;
  readonly reason: 'drain' | 'restore' | 'rebalance';
  /** the ledger operation id of this move */
  readonly operationId: string;
  readonly coldFallback: boolean;
  /** the job is stopping: a failed attempt is not retried; an ambiguous one is asked about once, and what is still moving then is an alarm */
  stopping(): boolean;
  /** the controller is shutting down, or the job lost a host's flag: nothing is waited for any more (the agents finish on their own) */
  aborted(): boolean;
  /**
   * why it was aborted, in words for a move's ending: this controller stopping, or the job's
   * maintenance flag taken by another operation or controller (null: not aborted)
   */
  abortedWhy(): { readonly ownStop: boolean; readonly words: string } | null;
  /** phase `left`: a move only left to its agent as the controller stops (MoveOutcome `unwatched`), logged as no alarm */
  report(move: Move, phase: MovePhase, attempt: number, line: string | null): void;
  /**
   * Frees the move's slots (its source's, its target's, the fleet's) while it only waits for its
   * pair (its target gone, a resync), so the job's other moves go meanwhile; the function returned
   * takes them back once they are free (at once when the job stops). Absent: the slots stay held.
   */
  stepAside?(): () => Promise<void>;
}

export type MoveOutcome =
  | { readonly kind: 'moved'; readonly how: 'live' | 'cold'; readonly attempts: number; readonly note: string | null }
  /** still at its source */
  | { readonly kind: 'failed'; readonly attempts: number; readonly code: ErrorCode; readonly message: string }
  /**
   * unsettled, or on both / neither host, or shut down and not started: hands off. unwatched: only
   * left to its agent as the controller stops (nothing seen wrong; the next look at the reports says where it is)
   */
  | { readonly kind: 'alarm'; readonly code: ErrorCode; readonly message: string; readonly unwatched?: true };

/** A move this controller stops watching because it stops: whatever it became, no alarm of its own. */
export const LEFT_TO_AGENT = 'left running on the agent: the controller is stopping';

/** Codes after which nobody knows where the domU is: both hosts are asked before anything else. */
export const AMBIGUOUS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['XH_ERR_MIGRATION_UNKNOWN', 'XH_ERR_AGENT_LINK_LOST', 'XH_ERR_TIMEOUT', 'XH_ERR_INTERNAL']);

/** Codes that say the domU is still at its source and another attempt may work. */
export const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'XH_ERR_MIGRATION_FAILED',
  'XH_ERR_PEER_UNREACHABLE',
  'XH_ERR_TOOL_FAILED',
  'XH_ERR_TOOL_TIMEOUT',
  'XH_ERR_TOOL_OUTPUT',
  'XH_ERR_LOCKED',
  'XH_ERR_AGENT_UNREACHABLE',
]);
