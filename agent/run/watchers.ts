import { startDrbdEvents } from '../adapters/drbd-events.js';
import type { LineStream, StreamExit } from '../adapters/line-stream.js';
import { createXenstore } from '../adapters/xenstore.js';
import { explainXenstoreFailure } from '../adapters/toolstack-explain.js';
import type { AgentEvent, WatcherName } from '../core/events.js';
import { classifyXenstoreStderr } from '../parse/xenstore-stderr.js';
import type { AgentPorts } from './ports.js';

/**
 * The long-running watcher children, one per kind, each tagged with the generation the reducer
 * gave it: its lines and its exit go back to the loop as events with that generation, so what an
 * old child says after a respawn is ignored. Supervision (respawn, polling, probes) is decided
 * by the reducer (core/watcher.ts); this only starts and stops children.
 */
const DOMAIN_WATCH_PATHS = ['@introduceDomain', '@releaseDomain'];

export class WatcherChildren {
  private readonly current = new Map<WatcherName, { gen: number; stream: LineStream }>();
  private readonly ending = new Set<Promise<StreamExit>>();

  constructor(
    private readonly ports: AgentPorts,
    private readonly post: (ev: AgentEvent) => void,
  ) {}

  /** PATHS: for 'renames', the xenstore paths it watches */
  start(watcher: WatcherName, gen: number, paths: readonly string[] = []): void {
    this.stop(watcher, this.current.get(watcher)?.gen ?? -1);
    const stream = watcher === 'drbd' ? this.drbd(gen) : this.xenstore(watcher, watcher === 'domains' ? DOMAIN_WATCH_PATHS : paths, gen);
    if (stream === null) return;
    this.current.set(watcher, { gen, stream });
    void stream.exited.then((exit) => {
      if (this.current.get(watcher)?.stream === stream) this.current.delete(watcher);
      this.post({
        t: 'watch-exit',
        watcher,
        gen,
        stoppedByUs: exit.stopped,
        notFound: exit.failure?.code === 'XH_ERR_TOOL_NOT_FOUND',
        // a xenstore-watch that could not open xenstore names xenstored, as xl's same failure does
        cannotOpen: exit.failure === null || watcher === 'drbd' ? null : (classifyXenstoreStderr(exit.failure.stderr)?.kind ?? null),
        why: exit.failure === null ? `ended (exit ${String(exit.exitCode)})` : watcher === 'drbd' ? exit.failure.message : explainXenstoreFailure(exit.failure).message,
      });
    });
  }

  stop(watcher: WatcherName, gen: number): void {
    const c = this.current.get(watcher);
    if (!c || c.gen !== gen) return;
    this.current.delete(watcher);
    const p = c.stream.stop();
    this.ending.add(p);
    void p.then(() => this.ending.delete(p));
  }

  /** Every child stopped and gone (their process groups signalled; bounded by the stream's own kill timer). */
  async stopAll(): Promise<void> {
    for (const [w, c] of [...this.current]) this.stop(w, c.gen);
    await Promise.all([...this.ending]);
  }

  private drbd(gen: number): LineStream {
    return startDrbdEvents(this.ports.spawn, {
      onLine: (line) => this.post({ t: 'watch-line', watcher: 'drbd', gen, line }),
      onBadLine: (f) => this.post({ t: 'watch-bad-line', watcher: 'drbd', gen, message: f.message, text: f.text }),
    });
  }

  private xenstore(watcher: 'domains' | 'renames', paths: readonly string[], gen: number): LineStream | null {
    const xs = createXenstore({ run: this.ports.run, spawn: this.ports.spawn });
    const w = xs.watch(paths, {
      onEvent: () => this.post({ t: 'watch-line', watcher, gen }),
      onBadLine: (f) => this.post({ t: 'watch-bad-line', watcher, gen, message: f.message, text: f.text }),
    });
    if (!w.ok) {
      this.post({ t: 'watch-exit', watcher, gen, stoppedByUs: false, notFound: false, why: w.error.message, cannotOpen: null });
      return null;
    }
    return w.value;
  }
}
