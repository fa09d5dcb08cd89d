import type { Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import type { OverlayMove, PlanFacts } from '../plan/facts.js';
import { leftover, mayClearUp } from '../plan/leftover-text.js';
import { waitEndWords, waitingNote } from '../plan/waiting-note.js';
import type { InFlightBook } from './in-flight.js';
import { reportsShowMoved } from './confirm-arrival.js';
import { CutLinkWait } from './cut-link-wait.js';
import { runMove } from './migration-runner.js';
import type { MoveContext, MoveOutcome } from './move-context.js';
import type { FleetPort } from './port.js';
import type { JobSettings, Limits } from './settings.js';

export interface StepSpec {
  /** what should move now, and what cannot, from the view with this job's moves overlaid */
  step(facts: PlanFacts): { readonly moves: readonly Move[]; readonly leftovers: readonly Leftover[] };
  readonly limits: Limits;
  /** a reason to start nothing new for now (rebalance while a drain runs); null: go on */
  paused?(): string | null;
  contextFor(move: Move, stopping: () => StopReason | null): MoveContext;
  /** a move ended (moved, failed or alarm) */
  onEnded?(move: Move, outcome: MoveOutcome): void;
  note?(line: string): void;
  /** the job's id, for the advice a note gives */
  readonly jobId?: string;
}

/** aborted: the job cannot go on (its maintenance flag lost); shutdown: the controller is stopping */
export type StopReason = 'cancelled' | 'timeout' | 'aborted' | 'shutdown';

/** Stops after which nothing is waited for: running moves are left to their agents. */
export const abandons = (why: StopReason | null): boolean => why === 'aborted' || why === 'shutdown';
export interface SchedulerEnd {
  readonly moved: readonly Move[];
  readonly leftovers: readonly Leftover[];
  readonly stoppedBy: StopReason | null;
}

/**
 * Runs a job's moves: re-plans from the fleet view whenever something changed (agent reports,
 * a move ended, a slot freed) — completion comes from agents' results and reports, never from
 * polling — and starts what the plan says within the concurrency limits shared by all jobs. Each
 * re-plan is a new pass: a move that became possible (a visitor left, a host came back) is
 * picked up. Ends when nothing runs and nothing more can start; stop() lets running moves finish.
 */
export class MoveScheduler {
  private readonly overlay = new Map<string, OverlayMove>();
  private readonly arrivedAt = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private readonly final = new Map<string, Leftover>();
  private readonly moved: Move[] = [];
  private readonly transientSince = new Map<string, number>();
  private readonly cuts: CutLinkWait;
  private readonly cleanup: Array<() => void> = [];
  private readonly stopListeners = new Set<() => void>();
  private stopWhy: StopReason | null = null;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private cancelWake: (() => void) | null = null;
  private wakeAt = Number.POSITIVE_INFINITY;
  private finished = false;
  private lastNote: string | null = null;
  private resolve: (e: SchedulerEnd) => void = () => undefined;

  constructor(
    private readonly port: FleetPort,
    private readonly s: JobSettings,
    private readonly book: InFlightBook,
    private readonly spec: StepSpec,
  ) {
    this.cuts = new CutLinkWait(s.cutLinkSettleMs);
  }

  get running(): number {
    return this.inFlight.size;
  }

  run(): Promise<SchedulerEnd> {
    const done = new Promise<SchedulerEnd>((r) => (this.resolve = r));
    this.cleanup.push(this.port.onChange(() => this.wakeSoon()), this.book.onFreed(() => this.wakeSoon()));
    this.wakeSoon(0);
    return done;
  }

  /** No new moves; running ones finish (an ambiguous one is still settled). */
  stop(why: StopReason): void {
    this.stopWhy ??= why;
    for (const l of [...this.stopListeners]) l();
    this.wakeSoon(0);
  }

  private onStop(fn: () => void): () => void {
    this.stopListeners.add(fn);
    return () => this.stopListeners.delete(fn);
  }

  /** Look again now (another job ended, a pause may be over). */
  poke(): void {
    this.wakeSoon();
  }

  private wakeSoon(delay = this.s.coalesceMs): void {
    if (this.finished) return;
    const at = this.port.clock.now() + delay;
    if (this.cancelWake !== null && at >= this.wakeAt) return;
    this.cancelWake?.();
    this.wakeAt = at;
    this.cancelWake = this.port.clock.schedule(delay, () => {
      this.cancelWake = null;
      this.wakeAt = Number.POSITIVE_INFINITY;
      this.wake();
    });
  }

  private wake(): void {
    if (this.finished) return;
    const now = this.port.clock.now();
    this.dropArrived(now);
    const facts = this.port.facts(this.overlay);
    const step = this.spec.step(facts);
    const ours = (n: string): boolean => this.inFlight.has(n) || this.overlay.has(n);
    const pending = step.moves.filter((m) => !ours(m.name) && !this.final.has(m.name));
    const paused = this.spec.paused?.() ?? null;
    let launched = 0;
    if (this.stopWhy === null && paused === null) {
      const taken = new Map<string, number>();
      for (const m of pending) {
        if (!this.book.canStart(m.from, m.to, this.spec.limits)) continue;
        // plans of several hosts (a roll group) may each count the same free memory: check again
        const free = facts.host(m.to)?.freeMiB ?? null;
        if (free === null || free - (taken.get(m.to) ?? 0) - this.s.reserveMiB < m.memMiB) continue;
        taken.set(m.to, (taken.get(m.to) ?? 0) + m.memMiB);
        this.launch(m);
        launched++;
      }
    }
    if (paused !== null && pending.length > 0) this.noteOnce(`paused: ${paused}`);
    const left = step.leftovers.filter((l) => !ours(l.name) && !this.final.has(l.name));
    // woken when a move ends, the pause ends or a slot frees; a cut link's wait ends at its own time meanwhile: the domU it keeps is said then
    if (this.inFlight.size > 0 || (this.stopWhy === null && pending.length > 0 && (paused !== null || this.book.running > 0))) {
      if (this.stopWhy === null) this.giveUpOnCutLinksDue(facts, left, now);
      return;
    }
    if (this.stopWhy === null) {
      const waitLeft = (l: Leftover): number => Math.min(this.s.transientWaitMs - (now - this.since(l.name, now)), this.cuts.left(facts, l, now));
      const waiting = left.filter((l) => mayClearUp(l) && waitLeft(l) > 0);
      this.giveUpOnCutLinks(left.filter((l) => !waiting.includes(l)));
      if (waiting.length > 0) {
        const note = waitingNote(waiting);
        const until = Math.max(...waiting.map((l) => this.since(l.name, now))) + this.s.transientWaitMs;
        this.noteOnce(`${note.line}${waitEndWords(waiting, this.s.transientWaitMs, until, this.spec.jobId ?? null)}`, note.key);
        this.wakeSoon(Math.min(...waiting.map(waitLeft)) + 1);
        return;
      }
      if (now - this.lastEnd < this.s.quietMs) {
        this.wakeSoon(this.s.quietMs - (now - this.lastEnd));
        return;
      }
      if (launched === 0 && pending.length > 0) {
        for (const m of pending) this.final.set(m.name, leftover(m.name, m.from, { kind: 'no-memory', needMiB: m.memMiB, reserveMiB: this.s.reserveMiB, best: null }));
      }
    }
    this.finish(left, pending);
  }

  /** A note for the operator, not repeated while it stays the same (KEY: what makes it the same). */
  private noteOnce(line: string, key: string = line): void {
    if (key === this.lastNote) return;
    this.lastNote = key;
    this.spec.note?.(line);
  }

  /** While moves run: the leftovers whose cut link's wait is over are given up on now, and the scheduler wakes for the next one's. */
  private giveUpOnCutLinksDue(facts: PlanFacts, left: readonly Leftover[], now: number): void {
    const { over, nextMs } = this.cuts.due(facts, left, now);
    this.giveUpOnCutLinks(over);
    if (Number.isFinite(nextMs)) this.wakeSoon(nextMs + 1);
  }

  /** A cut link given up on is said at once, in the words a new drain is refused with, while the rest of the job goes on. */
  private giveUpOnCutLinks(done: readonly Leftover[]): void {
    for (const l of done) {
      if (!this.cuts.counted(l.name) || this.final.has(l.name)) continue;
      this.final.set(l.name, l);
      this.spec.note?.(`${l.name} stays on ${l.host ?? 'its host'}: both ends of its DRBD link have reported it cut for ${Math.round(this.s.cutLinkSettleMs / 1000)} s: ${l.message}`);
    }
  }

  private since(name: string, now: number): number {
    const t = this.transientSince.get(name);
    if (t !== undefined) return t;
    this.transientSince.set(name, now);
    return now;
  }

  private finish(left: readonly Leftover[], pending: readonly Move[]): void {
    this.finished = true;
    for (const c of this.cleanup.splice(0)) c();
    this.cancelWake?.();
    this.cancelWake = null;
    const out = new Map<string, Leftover>();
    for (const l of [...this.final.values(), ...left]) if (!out.has(l.name)) out.set(l.name, l);
    if (this.stopWhy !== null) {
      const why = this.stopWhy === 'cancelled' || this.stopWhy === 'timeout' ? this.stopWhy : 'stopped';
      for (const m of pending) if (!out.has(m.name)) out.set(m.name, leftover(m.name, m.from, { kind: 'not-started', why }));
      // the controller's links are closing: the last look calls every Dom0 unreachable, which is
      // only this controller going away, so what the job did not reach is said as not started
      if (this.stopWhy === 'shutdown') for (const l of left) if (!this.final.has(l.name)) out.set(l.name, leftover(l.name, l.host, { kind: 'not-started', why }));
    }
    this.resolve({ moved: this.moved, leftovers: [...out.values()].sort((a, b) => a.name.localeCompare(b.name)), stoppedBy: this.stopWhy });
  }

  private launch(m: Move): void {
    this.overlay.set(m.name, { from: m.from, to: m.to, memMiB: m.memMiB, phase: 'moving' });
    this.inFlight.add(m.name);
    let held: (() => void) | null = this.book.start(m.from, m.to);
    const release = (): void => {
      held?.();
      held = null;
    };
    const stepAside = (): (() => Promise<void>) => {
      release();
      return () => this.takeSlots(m, () => held !== null, (r) => (held = r));
    };
    const ctx: MoveContext = { ...this.spec.contextFor(m, () => this.stopWhy), stepAside };
    const end = (o: MoveOutcome): void => {
      release();
      this.inFlight.delete(m.name);
      this.lastEnd = this.port.clock.now();
      if (o.kind === 'moved') {
        this.overlay.set(m.name, { from: m.from, to: m.to, memMiB: m.memMiB, phase: 'arrived' });
        this.arrivedAt.set(m.name, this.lastEnd);
        this.moved.push(m);
        ctx.report(m, 'moved', o.attempts, o.note);
      } else {
        this.overlay.delete(m.name);
        if (o.kind === 'alarm' && o.unwatched === true) {
          // left to its agent as the controller stops: no alarm on the stream, the log or the leftovers
          this.final.set(m.name, leftover(m.name, m.from, { kind: 'left-to-agent', from: m.from, to: m.to }));
          ctx.report(m, 'left', 0, o.message);
        } else {
          const blocker = o.kind === 'failed' ? { kind: 'failed' as const, attempts: o.attempts, code: o.code, message: o.message } : { kind: 'alarm' as const, code: o.code, message: o.message };
          this.final.set(m.name, leftover(m.name, m.from, blocker));
          ctx.report(m, o.kind === 'failed' ? 'failed' : 'alarm', o.kind === 'failed' ? o.attempts : 0, `${o.code}: ${o.message}`);
        }
      }
      this.spec.onEnded?.(m, o);
      this.wakeSoon();
    };
    runMove(ctx, m).then(end, (e: unknown) => end({ kind: 'alarm', code: 'XH_ERR_INTERNAL', message: `the executor failed: ${e instanceof Error ? e.message : String(e)}` }));
  }

  /**
   * Takes M's slots again after it stepped aside (MoveContext.stepAside), as soon as the limits
   * allow; a stopping job resolves at once without them, as its move then ends untried.
   */
  private takeSlots(m: Move, holding: () => boolean, took: (release: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const tryTake = (): boolean => {
        if (holding() || this.stopWhy !== null) return true;
        if (!this.book.canStart(m.from, m.to, this.spec.limits)) return false;
        took(this.book.start(m.from, m.to));
        return true;
      };
      if (tryTake()) return resolve();
      const offs: Array<() => void> = [];
      const again = (): void => {
        if (!tryTake()) return;
        for (const off of offs.splice(0)) off();
        resolve();
      };
      offs.push(this.book.onFreed(again), this.onStop(again));
    });
  }

  /** A finished move leaves the overlay once both agents' reports show it (or after arrivalWaitMs). */
  private dropArrived(now: number): void {
    for (const [name, o] of this.overlay) {
      if (o.phase !== 'arrived') continue;
      if (reportsShowMoved(this.port, name, o.from, o.to) || now - (this.arrivedAt.get(name) ?? now) > this.s.arrivalWaitMs) {
        this.overlay.delete(name);
        this.arrivedAt.delete(name);
      }
    }
  }
}
