import { CONTROL_PROTOCOL_VERSION, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import type { AgentConfig } from '../config/schema.js';
import type { AgentEvent, BootRecordAgain } from '../core/events.js';
import { retryDelayMs } from '../core/delays.js';
import { reduce } from '../core/reduce.js';
import { initialState, type AgentState, type InitialFacts } from '../core/state.js';
import { EffectRunner, type ReplyChannel } from './effect-runner.js';
import { runRelease } from './drbd-claim.js';
import type { AgentPorts } from './ports.js';
import type { StartIntent } from './start-intents.js';

/**
 * An `xl create` left running by a killed agent is polled this often; past each LEFTOVER_WARN_MS
 * of it the journal hears again that the domU still waits, for as long as it runs. There is no
 * bound: giving the claim back under a create still alive would pull the disk from the domain it
 * builds, and waiting before READY let systemd's start timeout kill agent after agent.
 */
const LEFTOVER_POLL_MS = 100;
const LEFTOVER_WARN_MS = 150_000;

/** The control connection a request came on (a hold keeps it open). */
export interface ControlConnection {
  keepOpen(onClose: () => void): void;
}

const gone = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_AGENT_UNREACHABLE', message } });

/**
 * One agent's event loop (drbd-reactor's shape): typed events on one queue, the pure reducer
 * (core/reduce.ts) over the agent's state, effects run by the effect runner. Events posted in one
 * burst (the lines of one events2 chunk) are reduced together and decided on once. It runs the
 * same behind the real process (cli/run.ts) and inside a test with the fleet simulator.
 */
export class AgentCore {
  private state: AgentState;
  private readonly queue: AgentEvent[] = [];
  private scheduled = false;
  private abandoned = false;
  /** a leftover create is waited for no longer: its start record stays for the next agent */
  private stopping = false;
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

  /**
   * Runs; resolves at READY, or once stopped if a stop came first. A start an earlier agent left
   * behind is dealt with first when its `xl create` has ended; one whose create still runs is
   * waited for beside the loop, that domU alone held (core/leftover-creates.ts), so READY and the
   * controller link come as always. A stopped agent never becomes ready: waiting for READY alone
   * kept a process stopped mid-start alive until systemd's stop timeout killed it.
   */
  async start(): Promise<'ready' | 'stopped'> {
    const stopped = this.runner.whenStopped().then(() => 'stopped' as const);
    const ready = this.ready.then(() => 'ready' as const);
    const { running, kept } = await this.leftoverStarts();
    // stopped while earlier starts were given back: nothing more is begun
    if (this.stopping || this.abandoned) return Promise.race([ready, stopped]);
    for (const i of running) this.post({ t: 'leftover-create', name: i.name, createPid: i.pid, running: true });
    for (const k of kept) this.post({ t: 'leftover-create', name: k.intent.name, createPid: k.intent.pid, running: true, kept: k.resources });
    this.post({ t: 'start' });
    for (const i of running) void this.waitOut(i);
    for (const k of kept) void this.giveBackAgain(k.intent);
    return Promise.race([ready, stopped]);
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

  /** SIGHUP or `autostart reload` with a config that validated; BOOTRECORD: a lost boot record read again. */
  reload(config: AgentConfig, configFile?: string | null, bootRecord?: BootRecordAgain): void {
    this.post({ t: 'config', config, ...(configFile === undefined ? {} : { configFile }), ...(bootRecord === undefined ? {} : { bootRecord }) });
  }

  /** SIGTERM: no new starts, watchers ended, running `xl create`s finished. */
  stop(): Promise<void> {
    this.stopping = true;
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

  /**
   * The start records an earlier agent left: those whose create ended given back now; returned, those
   * whose create still runs and those DRBD refused to give back (with what stays Primary).
   */
  private async leftoverStarts(): Promise<{ running: StartIntent[]; kept: Kept[] }> {
    const running: StartIntent[] = [];
    const kept: Kept[] = [];
    for (const intent of this.ports.intents.readAll()) {
      // stopped meanwhile: the records left stay for the next agent
      if (this.stopping || this.abandoned) break;
      if (this.ports.intents.stillRunning(intent)) running.push(intent);
      else {
        const left = await this.giveBack(intent);
        if (left.length > 0) kept.push({ intent, resources: left });
      }
    }
    return { running, kept };
  }

  /**
   * A give-back DRBD refused, tried again as a start's refused release is (core/claims.ts), that
   * domU held meanwhile: a start of it here would take the same resources, and this retry could
   * demote them before its create opened the device. Said once in the journal, by the first
   * refusal; a stop leaves the record for the next agent.
   */
  private async giveBackAgain(intent: StartIntent): Promise<void> {
    for (let tries = 1; ; tries++) {
      await this.pause(retryDelayMs(tries, 2_000, 60_000));
      if (this.abandoned || this.stopping) return;
      const left = await this.giveBack(intent, true);
      if (this.abandoned || this.stopping) return;
      if (left.length === 0) break;
      this.post({ t: 'leftover-create', name: intent.name, createPid: intent.pid, running: true, kept: left });
    }
    this.post({ t: 'leftover-create', name: intent.name, createPid: intent.pid, running: false });
  }

  /** a wait the stop ends at once: a stopped agent's process must not carry a timer */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.ports.clock.schedule(ms, resolve);
      void this.runner.whenStopped().then(() => {
        cancel();
        resolve();
      });
    });
  }

  private async waitOut(intent: StartIntent): Promise<void> {
    const { intents, clock, log } = this.ports;
    const since = clock.now();
    const fields = { domu: intent.name, createPid: intent.pid };
    log.warn(fields, `an xl create for ${intent.name} from before this agent started is still running: waiting for it before ${intent.name} is decided (the rest goes on)`);
    let warnAt = since + LEFTOVER_WARN_MS;
    while (intents.stillRunning(intent)) {
      if (this.abandoned || this.stopping) return;
      if (clock.now() >= warnAt) {
        const s = Math.round((clock.now() - since) / 1000);
        log.warn({ ...fields, waitedMs: clock.now() - since }, `the xl create for ${intent.name} from before this agent started still runs after ${s} s (pid ${intent.pid}; a hung hotplug script?): ${intent.name} still waits, and what its start took Primary stays so until it ends`);
        warnAt += LEFTOVER_WARN_MS;
      }
      await clock.sleep(LEFTOVER_POLL_MS);
    }
    if (this.abandoned || this.stopping) return;
    const left = await this.giveBack(intent);
    if (this.abandoned || this.stopping) return;
    if (left.length === 0) this.post({ t: 'leftover-create', name: intent.name, createPid: intent.pid, running: false });
    else {
      this.post({ t: 'leftover-create', name: intent.name, createPid: intent.pid, running: true, kept: left });
      await this.giveBackAgain(intent);
    }
  }

  /**
   * What an earlier start's claim took Primary, given back unless the domU now runs on it (DRBD
   * refuses that demotion). Its `drbdadm secondary` runs are the agent's changes (tool-runs.ts): the
   * stop waits for the one running, and none begins after it: under the unit's KillMode=process
   * nothing else would wait for a run the stop left behind.
   */
  private giveBack(intent: StartIntent, again = false): Promise<readonly string[]> {
    return this.runner.toolRuns.finishing(this.giveBackNow(intent, again));
  }

  /** what stays Primary for a reason other than a domain holding it (then the record stays); AGAIN: a retry, not logged when refused again */
  private async giveBackNow(intent: StartIntent, again: boolean): Promise<readonly string[]> {
    const { log } = this.ports;
    if (intent.claimed !== undefined && intent.claimed.length > 0) {
      const problems = await runRelease(this.runner.changing, { e: 'release', name: intent.name, resources: intent.claimed });
      const unheld = problems.filter((m) => !HELD_OPEN.test(m));
      // the same rule as a start's own release (drbd-claim.ts): while one stays Primary for a reason
      // other than the domU holding it, the record is the only trace of this claim, and the next
      // agent gives it back from there; removed, it stayed Primary with nothing to give it back
      if (unheld.length > 0) {
        const named = intent.claimed.filter((r) => unheld.some((m) => m.startsWith(`drbdadm secondary ${r}:`)));
        const left = named.length > 0 ? named : intent.claimed;
        if (again) return left;
        if (this.stopping) log.warn({ domu: intent.name, resources: intent.claimed }, `the agent stopped while it gave back what a start of ${intent.name} from before it took Primary (${unheld.join('; ')}): the start record stays, the next agent gives them back`);
        else log.warn({ domu: intent.name, resources: intent.claimed, code: 'XH_ERR_TOOL_FAILED' }, `a start of ${intent.name} from before this agent started had taken ${intent.claimed.join(', ')} Primary, and not all could be given back (${unheld.join('; ')}): they stay Primary and the start record stays, so this agent tries again while ${intent.name} waits, and the next agent start gives them back if it stops first`);
        return left;
      }
      log.info({ domu: intent.name, resources: intent.claimed }, `a start of ${intent.name} from before this agent started had taken ${intent.claimed.join(', ')} Primary: given back where nothing uses them`);
      for (const m of problems) log.info({ domu: intent.name }, `kept Primary, as it should be: a domain holds the device open, so DRBD refused to demote it (${m})`);
    }
    this.ports.intents.remove(intent.name);
    return [];
  }
}

interface Kept {
  readonly intent: StartIntent;
  readonly resources: readonly string[];
}

/** DRBD's refusal to demote a device in use (exit code 11): the domU the create started runs on it */
const HELD_OPEN = /held open/i;
