import type { Logger } from 'pino';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { startDrbdEvents } from '../adapters/drbd-events.js';
import type { DrbdAdapter, ProcDrbdReader } from '../adapters/drbd.js';
import { parseProcDrbd } from '../parse/proc-drbd.js';
import type { LineStream, StreamExit } from '../adapters/line-stream.js';
import type { SpawnStream } from '../adapters/line-stream.js';
import { emptyDrbdState, reduceDrbd, type DrbdState } from '../state/drbd-reducer.js';
import { viewsFromEvents } from '../state/drbd-view.js';
import type { DrbdAvailabilityWord } from '../state/snapshot.js';
import { respawnDelayMs } from './backoff.js';

/**
 * DRBD state for the daemon: `drbdsetup events2` reduced into a per-resource view, respawned with
 * backoff when it exits (the fresh stream's dump is a full re-read; until it completes, nothing
 * counts as known). Where events2 does not work (old 8.4 utils or module, a stream that never
 * completes its dump), `drbdadm status` is polled instead and the status says so.
 */
export interface DrbdSourceOptions {
  readonly adapter: DrbdAdapter;
  readonly readProc: ProcDrbdReader;
  readonly spawn: SpawnStream;
  readonly mode: 'auto' | 'poll';
  readonly pollMs: number;
  readonly respawnMaxMs: number;
  readonly log: Logger;
  /** something changed that may change a decision */
  readonly onChange: () => void;
}

/** events2 attempts that end before their initial dump, in a row, before we poll instead */
const EARLY_FAILURES_BEFORE_POLLING = 3;

export class DrbdSource {
  availability: DrbdAvailabilityWord = 'unknown';
  version: string | null = null;
  private state: DrbdState = emptyDrbdState;
  private polled = new Map<string, DrbdResourceView>();
  private stream: LineStream | null = null;
  private respawnTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private earlyFailures = 0;
  private usePolling: string | null;
  private names: readonly string[] = [];
  private toolsMissing = false;
  private stopped = false;
  private initialDumpWaiters: (() => void)[] = [];

  constructor(private readonly o: DrbdSourceOptions) {
    this.usePolling = o.mode === 'poll' ? 'events.drbd is "poll" in the config' : null;
  }

  /** for `status`: how DRBD changes reach us */
  describe(): string {
    if (this.availability === 'tools-missing') return 'none (DRBD tools not installed)';
    if (this.availability === 'module-not-loaded') return `none until the DRBD module is loaded (re-checked on every full re-read)`;
    if (this.usePolling !== null) return `polling drbdadm status every ${this.o.pollMs / 1000} s (${this.usePolling})`;
    if (this.stream === null) return 'drbdsetup events2 (restarting)';
    return this.state.initialDone ? 'drbdsetup events2' : 'drbdsetup events2 (reading initial state)';
  }

  get polling(): boolean {
    return this.usePolling !== null;
  }

  /** The resources whose state is known now; a missing one defers its domUs. */
  views(): Map<string, DrbdResourceView> {
    if (this.availability !== 'ok') return new Map();
    return this.usePolling !== null ? new Map(this.polled) : viewsFromEvents(this.state, this.names);
  }

  /** Before a start: events2 state is current; polled state is read again now. */
  async freshViews(names: readonly string[]): Promise<Map<string, DrbdResourceView>> {
    if (this.availability === 'ok' && this.usePolling !== null) await this.poll(names);
    const all = this.views();
    return new Map(names.flatMap((n) => (all.has(n) ? [[n, all.get(n) as DrbdResourceView]] : [])));
  }

  /**
   * Full re-read: availability (never loads the module: /proc/drbd first, `drbdadm --version`
   * only when it is absent, to tell "tools missing" from "module not loaded"), then the stream
   * or a poll.
   */
  async refresh(names: readonly string[]): Promise<void> {
    this.names = [...names];
    const before = this.availability;
    const proc = await this.o.readProc();
    if (this.stopped) return;
    if (proc.ok && proc.value !== null && !this.toolsMissing) {
      const p = parseProcDrbd(proc.value);
      this.availability = 'ok';
      this.version = p.ok ? p.value.version.version : null;
    } else {
      const avail = await this.o.adapter.availability();
      if (this.stopped) return;
      if (!avail.ok) {
        this.o.log.warn({ code: avail.error.code, err: avail.error.message }, 'cannot tell whether DRBD is available');
        this.availability = 'unknown';
      } else {
        this.availability = avail.value.availability;
        this.toolsMissing = avail.value.availability === 'tools-missing';
        this.version = avail.value.availability === 'ok' ? avail.value.version : null;
      }
    }
    if (this.availability !== 'ok') {
      await this.stopStream();
      this.stopPolling();
    } else if (this.usePolling !== null) {
      this.ensurePolling();
      await this.poll(this.names);
    } else if (this.stream === null && this.respawnTimer === null) {
      this.startStream();
    }
    if (before !== this.availability) this.o.onChange();
  }

  /** the guarded resources changed (a full re-read found other configs) */
  setNames(names: readonly string[]): void {
    this.names = [...names];
  }

  /** resolves when events2 finished its initial dump, failed, or timeoutMs passed (for READY) */
  waitInitial(timeoutMs: number): Promise<void> {
    if (this.availability !== 'ok' || this.usePolling !== null || this.state.initialDone) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.initialDumpWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private releaseWaiters(): void {
    const w = this.initialDumpWaiters;
    this.initialDumpWaiters = [];
    for (const f of w) f();
  }

  private startStream(): void {
    this.state = emptyDrbdState;
    const stream = startDrbdEvents(this.o.spawn, {
      onLine: (line) => {
        const wasDone = this.state.initialDone;
        this.state = reduceDrbd(this.state, line);
        if (this.state.stale) {
          this.o.log.warn('drbdsetup events2 lost events: restarting it for a fresh state');
          void stream.stop();
          return;
        }
        if (this.state.initialDone) {
          if (!wasDone) {
            this.failures = 0;
            this.earlyFailures = 0;
            this.releaseWaiters();
          }
          this.o.onChange();
        }
      },
      onBadLine: (f) => {
        this.o.log.error({ code: f.code, tool: f.tool, line: f.text }, `unreadable drbdsetup events2 line, restarting the stream: ${f.message}`);
        void stream.stop();
      },
    });
    this.stream = stream;
    void stream.exited.then((exit) => this.onExit(stream, exit));
  }

  private onExit(stream: LineStream, exit: StreamExit): void {
    if (this.stream !== stream) return;
    this.stream = null;
    const completedDump = this.state.initialDone;
    this.state = emptyDrbdState; // unknown until the next dump: nothing is started meanwhile
    this.o.onChange();
    if (this.stopped) return;
    this.failures++;
    if (!completedDump) this.earlyFailures++;
    const why = exit.failure?.message ?? `ended (exit ${String(exit.exitCode)})`;
    if (exit.failure?.code === 'XH_ERR_TOOL_NOT_FOUND') {
      this.toolsMissing = true;
      this.availability = 'tools-missing';
      this.o.log.warn('drbdsetup is not installed: DRBD domUs stay deferred until the DRBD tools are');
      this.releaseWaiters();
      return;
    }
    if (this.earlyFailures >= EARLY_FAILURES_BEFORE_POLLING) {
      this.usePolling = `drbdsetup events2 unavailable: ${why}`;
      this.o.log.warn({ reason: why }, `drbdsetup events2 is unavailable here: polling drbdadm status every ${this.o.pollMs / 1000} s instead`);
      this.releaseWaiters();
      this.ensurePolling();
      void this.poll(this.names).then(() => this.o.onChange());
      return;
    }
    const delay = exit.stopped ? 0 : respawnDelayMs(this.failures, this.o.respawnMaxMs);
    this.o.log.warn({ reason: why, respawnInMs: delay }, 'drbdsetup events2 ended: respawning it (its initial dump is a full re-read)');
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      if (!this.stopped && this.availability === 'ok' && this.usePolling === null) this.startStream();
    }, delay);
  }

  private ensurePolling(): void {
    if (this.pollTimer !== null) return;
    this.pollTimer = setInterval(() => void this.poll(this.names).then(() => this.o.onChange()), this.o.pollMs);
  }

  private stopPolling(): void {
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async poll(names: readonly string[]): Promise<void> {
    const next = new Map(this.polled);
    for (const n of names) {
      const r = await this.o.adapter.readResource(n);
      if (r.ok) next.set(n, r.value);
      else {
        next.delete(n);
        this.o.log.warn({ resource: n, code: r.error.code }, `cannot read DRBD resource ${n}: ${r.error.message}`);
      }
    }
    if (!this.stopped) this.polled = next;
  }

  private async stopStream(): Promise<void> {
    if (this.respawnTimer !== null) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    const s = this.stream;
    this.stream = null;
    this.state = emptyDrbdState;
    if (s) await s.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPolling();
    this.releaseWaiters();
    await this.stopStream();
  }
}
