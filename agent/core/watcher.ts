import type { XenstoreOpenFailure } from '../parse/xenstore-stderr.js';
import { respawnDelayMs } from './delays.js';

/**
 * How the agent supervises a long-running watcher (`drbdsetup events2`, `xenstore-watch`), as a
 * pure state machine shared by both: respawn with backoff when it exits, count exits before it
 * ever worked ("early failures"), fall back to polling after too many, and keep probing so that
 * events come back once the watcher works again (a DRBD module loaded later, a xenstored
 * restarted). The reducer owns one WatcherState per watcher and turns the verdicts into effects.
 */
export type WatcherMode = 'events' | 'polling';

export interface WatcherState {
  readonly mode: WatcherMode;
  /** why it polls: the config says so, or the watcher failed (null while on events) */
  readonly pollingWhy: string | null;
  /** the config forces polling: never probe */
  readonly pollOnly: boolean;
  /** generation of the current child; lines and exits of older children are ignored */
  readonly gen: number;
  readonly running: boolean;
  /** the current child proved it works (events2: its initial dump ended; xenstore-watch: a line) */
  readonly healthy: boolean;
  /** exits in a row; reset when a child proves healthy */
  readonly failures: number;
  /** exits in a row of children that never proved healthy */
  readonly earlyFailures: number;
  /** the current child was stopped by us for a line we could not read (the parser's message):
   * its exit is a failure, not a stop of ours, or the same line respawns it at once, forever */
  readonly badOutput: string | null;
  /** children stopped for an unreadable line since the watcher last proved itself after polling;
   * not reset by a completed dump, since a line that recurs after every dump would loop */
  readonly badOutputs: number;
  /** line kinds the tool printed that this agent does not know (a newer tool), each warned about once */
  readonly ignored: readonly string[];
}

/** events2 attempts that end before their initial dump, in a row, before we poll instead */
export const EARLY_FAILURES_BEFORE_POLLING = 3;
/** while polling after failures, try the watcher again this often (doubling up to the cap) */
export const PROBE_MIN_MS = 30_000;
export const PROBE_MAX_MS = 10 * 60_000;

export function initialWatcher(pollOnly: boolean, why: string): WatcherState {
  return { mode: pollOnly ? 'polling' : 'events', pollingWhy: pollOnly ? why : null, pollOnly, gen: 0, running: false, healthy: false, failures: 0, earlyFailures: 0, badOutput: null, badOutputs: 0, ignored: [] };
}

/** A new child is spawned (first start, respawn, or a probe while polling). */
export const spawned = (w: WatcherState): WatcherState => ({ ...w, gen: w.gen + 1, running: true, healthy: false, badOutput: null });

/** Wait before the next probe while polling, after `earlyFailures` failed attempts. */
export function probeDelayMs(earlyFailures: number): number {
  const extra = Math.max(0, earlyFailures - EARLY_FAILURES_BEFORE_POLLING);
  return Math.min(PROBE_MAX_MS, PROBE_MIN_MS * 2 ** Math.min(extra, 10));
}

export type HealthyVerdict = { readonly state: WatcherState; readonly backToEvents: boolean };

/** The current child proved it works: counts reset; a probe that works ends polling. */
export function becameHealthy(w: WatcherState): HealthyVerdict {
  const backToEvents = w.mode === 'polling' && !w.pollOnly;
  const badOutputs = backToEvents ? 0 : w.badOutputs;
  return { state: { ...w, healthy: true, failures: 0, earlyFailures: 0, badOutputs, mode: backToEvents ? 'events' : w.mode, pollingWhy: backToEvents ? null : w.pollingWhy }, backToEvents };
}

export interface ExitFacts {
  /** we stopped it on purpose (lost events, a reload): respawn at once, unless for a bad line (badOutput) */
  readonly stoppedByUs: boolean;
  /** the tool is not installed */
  readonly notFound: boolean;
  readonly why: string;
  /** a xenstore tool could not open xenstore (xenstored down, not root): xl cannot either */
  readonly cannotOpen: XenstoreOpenFailure | null;
}

export type ExitVerdict =
  /** respawn after delayMs (events mode) */
  | { readonly kind: 'respawn'; readonly delayMs: number }
  /** just switched to polling; probe the watcher again after probeMs */
  | { readonly kind: 'fall-back'; readonly why: string; readonly probeMs: number }
  /** a probe failed while polling: keep polling, probe again after probeMs */
  | { readonly kind: 'probe-later'; readonly probeMs: number };

/** The child of generation `w.gen` ended. */
export function exited(w: WatcherState, facts: ExitFacts, respawnMaxMs: number): { readonly state: WatcherState; readonly verdict: ExitVerdict } {
  const wasHealthy = w.healthy;
  const byUs = facts.stoppedByUs && w.badOutput === null;
  const failures = byUs ? w.failures : w.failures + 1;
  const earlyFailures = byUs || wasHealthy ? w.earlyFailures : w.earlyFailures + 1;
  const badOutputs = w.badOutput === null ? w.badOutputs : w.badOutputs + 1;
  const base: WatcherState = { ...w, running: false, healthy: false, failures, earlyFailures, badOutput: null, badOutputs };
  if (w.mode === 'polling') return { state: base, verdict: { kind: 'probe-later', probeMs: probeDelayMs(earlyFailures) } };
  if (facts.notFound || earlyFailures >= EARLY_FAILURES_BEFORE_POLLING || badOutputs >= EARLY_FAILURES_BEFORE_POLLING) {
    const why = facts.notFound ? `not installed (${facts.why})` : `unavailable: ${facts.why}`;
    return { state: { ...base, mode: 'polling', pollingWhy: why }, verdict: { kind: 'fall-back', why, probeMs: probeDelayMs(earlyFailures) } };
  }
  return { state: base, verdict: { kind: 'respawn', delayMs: byUs ? 0 : respawnDelayMs(Math.max(failures, badOutputs), respawnMaxMs) } };
}
