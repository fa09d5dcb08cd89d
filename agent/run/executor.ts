import type { Logger } from 'pino';
import type { XhError } from '../../shared/errors.js';
import type { Result } from '../../shared/result.js';
import type { AutostartDecision } from '../decide/autostart.js';
import { forceVerdict } from '../decide/autostart-all.js';
import type { StartIntents } from './start-intents.js';

/**
 * Runs `xl create` (or `xm create`) for guarded domUs: at most `parallel` at once, one at a time
 * per domU (a per-domU lock), each preceded by a fresh re-check (`xl list` read again, DRBD state
 * as of now) so nothing starts on a stale snapshot. While `xl create` runs, its pid is on disk
 * (start-intents) so an agent restarted meanwhile does not start the domU twice.
 */
export interface Forced {
  readonly reason: string;
  readonly operator: string | null;
}

export interface StartRequest {
  readonly name: string;
  readonly configPath: string;
  readonly forced: Forced | null;
}

export type StartOutcome =
  | { readonly kind: 'started'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string }
  /** the re-check right before the start said no: nothing was run */
  | { readonly kind: 'not-started'; readonly decision: AutostartDecision | null; readonly message: string };

export interface ExecutorDeps {
  readonly parallel: () => number;
  /** a fresh decision for one domU: xl list re-read, DRBD as of now */
  readonly recheck: (name: string) => Promise<AutostartDecision | null>;
  readonly create: (configPath: string, onSpawn: (pid: number) => void) => Promise<Result<void, XhError>>;
  readonly intents: StartIntents;
  readonly log: Logger;
  /** awaited before the domU's lock is released (the daemon re-reads xl list there) */
  readonly onOutcome: (req: StartRequest, outcome: StartOutcome) => Promise<void>;
}

interface Queued {
  readonly req: StartRequest;
  readonly resolve: (o: StartOutcome) => void;
}

export class Executor {
  private readonly locked = new Set<string>();
  private readonly queue: Queued[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly d: ExecutorDeps) {}

  /** queued or running for this domU */
  busy(name: string): boolean {
    return this.locked.has(name);
  }

  get inFlight(): number {
    return this.active;
  }

  /** null when this domU is already queued or starting (the lock), or the executor is closed */
  request(req: StartRequest): Promise<StartOutcome> | null {
    if (this.closed || this.locked.has(req.name)) return null;
    this.locked.add(req.name);
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.d.parallel() && this.queue.length > 0) {
      const q = this.queue.shift() as Queued;
      this.active++;
      void this.runOne(q.req).then(async (outcome) => {
        await this.d.onOutcome(q.req, outcome).catch((e: unknown) => this.d.log.error({ err: String(e) }, 'start outcome handling failed'));
        this.active--;
        this.locked.delete(q.req.name);
        q.resolve(outcome);
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async runOne(req: StartRequest): Promise<StartOutcome> {
    if (this.closed) return { kind: 'not-started', decision: null, message: 'the agent is stopping' };
    const decision = await this.d.recheck(req.name);
    const allowed = req.forced ? forceVerdict(decision ?? undefined).allowed : decision?.kind === 'start';
    if (!allowed || this.closed) {
      const why = decision === null ? 'the re-check could not read the host' : `${decision.kind}: ${decision.detail}`;
      return { kind: 'not-started', decision, message: `re-checked right before starting: ${why}` };
    }
    const startedAt = new Date().toISOString();
    const r = await this.d.create(req.configPath, (pid) => {
      try {
        this.d.intents.write({ name: req.name, pid, configPath: req.configPath, at: startedAt });
      } catch (e) {
        this.d.log.warn({ domu: req.name, err: String(e) }, 'cannot record the start in the state dir');
      }
    });
    this.d.intents.remove(req.name);
    return r.ok ? { kind: 'started', message: `started from ${req.configPath}` } : { kind: 'failed', message: r.error.message };
  }

  /** no new starts; resolves when the running ones have finished (never kills an `xl create` half way) */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) {
      this.locked.delete(q.req.name);
      q.resolve({ kind: 'not-started', decision: null, message: 'the agent is stopping' });
    }
    if (this.active === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }
}
