import type { AgentSession } from '../../../controller/core/agent-session.js';
import { PendingCommands } from '../../../controller/core/pending-commands.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';

/** pino's levels, as the log lines carry them */
export const LEVEL = { debug: 20, info: 30, warn: 40 } as const;

/** The controller's pending commands on a deterministic clock, logging to memory, with one agent session (xen1) that sends nowhere. */
export function pendingBed() {
  const clock = deterministicClock(1_000_000);
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  const pending = new PendingCommands(clock, log, 60_000);
  const session = { host: 'xen1', send: () => undefined } as unknown as AgentSession;
  return { pending, session, lines };
}
