/**
 * A message link between an agent and the controller: the WebSocket in production
 * (ws-link.ts), an in-memory pair in tests (memory-link.ts). Frames are text: each end parses
 * them with the protocol's zod schemas, so a memory link exercises the same trust boundary as a
 * socket.
 *
 * After close (either side, or the transport dropping), send is a no-op and onClose has fired
 * exactly once on each end that registered a handler.
 */
export interface Link {
  send(text: string): void;
  close(code: number, reason: string): void;
  onMessage(handler: (text: string) => void): void;
  onClose(handler: (code: number, reason: string) => void): void;
  /** for logs: the peer's address ("10.0.0.5:41234") or "memory:NAME" */
  readonly remote: string;
  /**
   * When the peer was last heard at the transport, for links that queue frames before handing
   * them over (the controller's ingest pacer): a frame waiting in our own queue, or a socket we
   * stopped reading, is silence on our side, not the peer's. Absent: frames are handed over as
   * they arrive.
   */
  readonly heardAt?: () => number;
}

/** Close codes (RFC 6455 where one fits; 4xxx are xenherd's own). */
export const CLOSE = {
  normal: 1000,
  /** the controller or agent is shutting down */
  goingAway: 1001,
  /** malformed message, wrong version, message out of order */
  protocol: 1002,
  /** the transport ended without a close frame (never sent, only reported) */
  dropped: 1006,
  /** authentication or host binding refused */
  policy: 1008,
  /** message above the size limit */
  tooBig: 1009,
  /** a newer link of the same host replaced this one */
  replaced: 4000,
  /** nothing heard for staleAfterMs */
  stale: 4001,
  /** no hello and snapshot in time (a slow or busy link, not a refusal): the agent dials again at its usual pace */
  helloLate: 4002,
  /**
   * the agent's reports went out of step with what the controller holds (a delta that does not fit
   * the last report): not a refusal, the next link's snapshot mends it, so the agent dials again at
   * its usual pace. An agent older than this code reads it as any 4xxx it does not know: retried
   */
  resync: 4003,
} as const;

/**
 * The reason an agent's close says when its process stops (CLOSE.goingAway): the controller takes
 * it for a restart on its way (an upgrade, systemctl restart) for a while, not a Dom0 lost
 * (controller/fleet/agent-stop.ts). Every agent release sends these words.
 */
export const AGENT_STOPPING_REASON = 'agent stopping';

/**
 * The reason an agent's close says when it leaves a standby controller for the primary again
 * (CLOSE.goingAway): the Dom0 is not lost, it reports to another controller, and what it last
 * reported here no longer says what runs there (controller/fleet/reports-elsewhere.ts). Every
 * agent release that fails back sends these words.
 */
export const FAILBACK_REASON = 'back to the primary controller';
