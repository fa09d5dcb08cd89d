import { CONTROL_PROTOCOL_VERSION, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import type { AgentConfig } from '../config/schema.js';
import type { AgentEvent } from '../core/events.js';
import { reduce } from '../core/reduce.js';
import { initialState, type AgentState, type InitialFacts } from '../core/state.js';
import { EffectRunner, type ReplyChannel } from './effect-runner.js';
import { runRelease } from './drbd-claim.js';
import type { AgentPorts } from './ports.js';

/**
 * One agent's event loop (drbd-reactor's shape): typed events on one queue, the pure reducer
 * (core/reduce.ts) over the agent's state, effects run by the effect runner. Events posted in one
 * burst (the lines of one events2 chunk) are reduced together and decided on once. It runs the
 * same behind the real process (cli/run.ts) and inside a test with the fleet simulator.
 */
const LEFTOVER_START_WAIT_MS = 150_000;
const LEFTOVER_POLL_MS = 100;

/** The control connection a request came on (a hold keeps it open). */
export interface ControlConnection {
  keepOpen(onClose: () => void): void;
}

const gone = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_AGENT_UNREACHABLE', message } });

export class AgentCore {
  private state: AgentState;
  private readonly queue: AgentEvent[] = [];
  private scheduled = false;
  private abandoned = false;
  private nextId = 1;
  private readonly replies = new Map<number, ReplyChannel>();
  private readonly runner: EffectRunner;
  private readyResolve: () => void = () => undefined;
  /** resolves when the first decisions are made (systemd's READY=1) */
  readonly ready: Promise<void>;

  constructor(
    private readonly ports: AgentPorts,
    init: Omit<InitialFacts, 'now'>,
  ) {
    this.state = initialState({ ...init, now: ports.clock.now() });
    this.ready = new Promise((r) => (this.readyResolve = r));
    this.runner = new EffectRunner(ports, (ev) => this.post(ev), this.replies, () => this.readyResolve());
  }

  /** The agent's state now (read-only: for tests and diagnostics). */
  get current(): AgentState {
    return this.state;
  }

  /** Waits out an `xl create` left running by an earlier agent, then runs; resolves at READY. */
  async start(): Promise<void> {
    await this.waitForLeftoverStarts();
    this.post({ t: 'start' });
    return this.ready;
  }

  post(ev: AgentEvent): void {
    if (this.abandoned) return;
    this.queue.push(ev);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  control(req: ControlRequest, conn: ControlConnection): Promise<ControlResponse> {
    // a dead agent's socket refuses the connection: the client hears so at once
    if (this.abandoned) return Promise.resolve(gone('the agent is not running here (daemon gone)'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.set(id, { resolve, keepOpen: (closed) => conn.keepOpen(closed) });
      this.post({ t: 'control', id, conn: id, req });
    });
  }

  /** SIGHUP with a config that validated. */
  reload(config: AgentConfig, configFile?: string | null): void {
    this.post({ t: 'config', config, ...(configFile === undefined ? {} : { configFile }) });
  }

  /** SIGTERM: no new starts, watchers ended, running `xl create`s finished. */
  stop(): Promise<void> {
    this.post({ t: 'stop' });
    return this.runner.whenStopped();
  }

  /**
   * Reacts to nothing more, at once, as if the process had died (tests of crash and restart):
   * its timers are cancelled and its watcher children ended; anything else it started runs on
   * without it, as an `xl create` outlives a killed agent under the unit's KillMode=process.
   */
  abandon(): void {
    this.abandoned = true;
    this.queue.length = 0;
    this.runner.abandon();
    // its connections close with it: a request waiting for an answer hears the close
    for (const r of this.replies.values()) r.resolve(gone('the agent closed the connection without answering'));
    this.replies.clear();
  }

  /** false once abandoned (a crash in a test): nothing answers on its control socket any more */
  get alive(): boolean {
    return !this.abandoned;
  }

  private drain(): void {
    this.scheduled = false;
    for (;;) {
      if (this.abandoned) return;
      const ev = this.queue.shift() ?? (this.needsSettle() ? ({ t: 'settled' } as const) : undefined);
      if (ev === undefined) return;
      const step = reduce(this.state, ev, this.ports.clock.now());
      this.state = step.state;
      for (const e of step.effects) this.runner.run(e);
    }
  }

  private needsSettle(): boolean {
    const s = this.state;
    return s.dirty || s.waitingReplies.some((w) => w.afterRead <= s.fullRead.done);
  }

  private async waitForLeftoverStarts(): Promise<void> {
    const { intents, clock, log } = this.ports;
    const deadline = clock.now() + LEFTOVER_START_WAIT_MS;
    for (const intent of intents.readAll()) {
      if (intents.stillRunning(intent)) {
        log.warn({ domu: intent.name, pid: intent.pid }, `an xl create for ${intent.name} from before this agent started is still running: waiting for it`);
        while (intents.stillRunning(intent) && clock.now() < deadline) await clock.sleep(LEFTOVER_POLL_MS);
      }
      // what its claim took Primary, unless the domU now runs on it (DRBD refuses that demotion)
      if (intent.claimed !== undefined && intent.claimed.length > 0) {
        const problems = await runRelease(this.ports, { e: 'release', name: intent.name, resources: intent.claimed });
        log.info({ domu: intent.name, resources: intent.claimed }, `a start of ${intent.name} from before this agent started had taken ${intent.claimed.join(', ')} Primary: given back where nothing uses them`);
        for (const m of problems) log.info({ domu: intent.name }, `kept: ${m}`);
      }
      intents.remove(intent.name);
    }
  }
}
