import type { Clock } from '../../shared/clock/clock.js';
import { realClock } from '../../shared/clock/real-clock.js';

/**
 * Ending a tool in bounded time. Every tool runs in its own process group (spawned detached), so
 * signalling the group also reaches what the tool started (a wrapper script's `sleep`, a helper
 * left holding stdout). What left the group (setsid, or a process stuck in the kernel) cannot be
 * signalled: after a last grace the caller stops waiting for the pipes, destroys them and answers.
 */

/** SIGTERM → SIGKILL delay, the default for every tool: time to release locks and exit cleanly. */
export const DEFAULT_KILL_AFTER_MS = 2_000;
/**
 * How long to wait, after the SIGKILL, for the pipes to close before destroying them. A killed
 * group closes its pipes at once; only a holder outside the group (or a process in uninterruptible
 * sleep) keeps them open, and nothing it writes afterwards is wanted.
 */
export const CLOSE_GRACE_MS = 1_000;
/**
 * How long the pipes may stay open after the tool itself exited. Output still in the pipe is read
 * in milliseconds; longer means a process the tool started holds the pipe, and what that process
 * might still print would make a cut answer.
 */
export const DRAIN_AFTER_EXIT_MS = 1_000;

/** How to signal a tool and what it started: its process group, unless the caller knows better. */
export type Signaller = (signal: NodeJS.Signals) => void;

/** Signals the process group led by pid (falls back to the pid alone if it leads no group). */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export interface GroupEnding {
  /** the signal the group last received */
  readonly lastSignal: () => NodeJS.Signals;
  /** the pipes closed: no need for SIGKILL or the give-up */
  cancel(): void;
}

/**
 * SIGTERM to the group now, SIGKILL after killAfterMs, then onGiveUp after closeGraceMs more: the
 * caller then destroys the pipes and answers with what it has. cancel() once the pipes closed.
 */
export function endGroup(signal: Signaller, killAfterMs: number, closeGraceMs: number, onGiveUp: () => void, clock: Clock = realClock): GroupEnding {
  let last: NodeJS.Signals = 'SIGTERM';
  let cancelGiveUp: (() => void) | undefined;
  signal('SIGTERM');
  const cancelKill = clock.schedule(killAfterMs, () => {
    last = 'SIGKILL';
    signal('SIGKILL');
    cancelGiveUp = clock.schedule(closeGraceMs, onGiveUp);
  });
  return {
    lastSignal: () => last,
    cancel: () => {
      cancelKill();
      cancelGiveUp?.();
    },
  };
}

/** Destroys a child's pipe if it can be (a Node stream can; a test double may not). */
export function destroyPipe(pipe: NodeJS.ReadableStream | null): void {
  if (pipe === null) return;
  pipe.removeAllListeners('data');
  if ('destroy' in pipe && typeof pipe.destroy === 'function') (pipe.destroy as () => void).call(pipe);
}

const live = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a running tool's group until untrack() is called. On process exit every remembered
 * group gets SIGTERM: in its own group a tool no longer shares our terminal's signals, and must
 * still not outlive a CLI that exits while it runs.
 */
export function trackGroup(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined;
  live.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => signalToolGroups('SIGTERM'));
  }
  return () => live.delete(pid);
}

/** Signals every running tool's group; for a composition root ending on a signal. */
export function signalToolGroups(signal: NodeJS.Signals): void {
  for (const pid of live) signalGroup(pid, signal);
}
