import type { Logger } from 'pino';
import type { SpawnStream } from '../adapters/line-stream.js';
import { createXenstore, type WatchExit, type XenstoreWatch } from '../adapters/xenstore.js';
import type { ToolRunner } from '../adapters/exec.js';
import { respawnDelayMs } from './backoff.js';

/**
 * When to re-read `xl list`: on every `xenstore-watch @introduceDomain @releaseDomain` line (a
 * hint, never a fact: the watch also fires at registration and spuriously), respawned with
 * backoff when it exits; polling where xenstore-watch is unavailable, and the status says so.
 */
export interface DomainSourceOptions {
  readonly run: ToolRunner;
  readonly spawn: SpawnStream;
  readonly mode: 'auto' | 'poll';
  readonly pollMs: number;
  readonly respawnMaxMs: number;
  readonly log: Logger;
  /** re-read xl list now */
  readonly onHint: () => void;
}

const EARLY_FAILURES_BEFORE_POLLING = 3;
const WATCH_PATHS = ['@introduceDomain', '@releaseDomain'];

export class DomainSource {
  private watch: XenstoreWatch | null = null;
  private respawnTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private earlyFailures = 0;
  private sawLine = false;
  private usePolling: string | null;
  private stopped = false;

  constructor(private readonly o: DomainSourceOptions) {
    this.usePolling = o.mode === 'poll' ? 'events.domains is "poll" in the config' : null;
  }

  describe(): string {
    if (this.usePolling !== null) return `polling ${'xl list'} every ${this.o.pollMs / 1000} s (${this.usePolling})`;
    return this.watch === null ? 'xenstore-watch (restarting)' : 'xenstore-watch @introduceDomain @releaseDomain';
  }

  start(): void {
    if (this.usePolling !== null) this.startPolling();
    else this.startWatch();
  }

  private startWatch(): void {
    const xs = createXenstore({ run: this.o.run, spawn: this.o.spawn });
    this.sawLine = false;
    const w = xs.watch(WATCH_PATHS, {
      onEvent: () => {
        if (!this.sawLine) {
          this.sawLine = true;
          this.failures = 0;
          this.earlyFailures = 0;
        }
        this.o.onHint();
      },
      onBadLine: (f) => this.o.log.warn({ code: f.code, line: f.text }, `unreadable xenstore-watch line: ${f.message}`),
    });
    if (!w.ok) {
      this.fallBack(w.error.message);
      return;
    }
    this.watch = w.value;
    const watch = w.value;
    void watch.exited.then((exit) => this.onExit(watch, exit));
  }

  private onExit(watch: XenstoreWatch, exit: WatchExit): void {
    if (this.watch !== watch) return;
    this.watch = null;
    if (this.stopped || exit.stopped) return;
    this.failures++;
    if (!this.sawLine) this.earlyFailures++;
    const why = exit.failure?.message ?? `ended (exit ${String(exit.exitCode)})`;
    if (exit.failure?.code === 'XH_ERR_TOOL_NOT_FOUND' || this.earlyFailures >= EARLY_FAILURES_BEFORE_POLLING) {
      this.fallBack(why);
      return;
    }
    const delay = respawnDelayMs(this.failures, this.o.respawnMaxMs);
    this.o.log.warn({ reason: why, respawnInMs: delay }, 'xenstore-watch ended: respawning it');
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      if (this.stopped) return;
      this.startWatch();
      this.o.onHint(); // events may have been missed meanwhile
    }, delay);
  }

  private fallBack(why: string): void {
    this.usePolling = `xenstore-watch unavailable: ${why}`;
    this.o.log.warn({ reason: why }, `xenstore-watch is unavailable here: polling xl list every ${this.o.pollMs / 1000} s instead`);
    this.startPolling();
  }

  private startPolling(): void {
    if (this.pollTimer === null) this.pollTimer = setInterval(() => this.o.onHint(), this.o.pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    if (this.respawnTimer !== null) clearTimeout(this.respawnTimer);
    this.pollTimer = null;
    this.respawnTimer = null;
    const w = this.watch;
    this.watch = null;
    if (w) await w.stop();
  }
}
