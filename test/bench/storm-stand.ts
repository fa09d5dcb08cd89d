// A stand-in agent for the reconnect storm: its controller link is the real agent's, the link's
// pure reducer (agent/core/link.ts: hello, the reconnect spread a welcome gives, the jittered
// backoff, a Retry-After, the silence timer) over the real connection (shared/link/ws-connect.ts:
// TLS, the upgrade, how a refusal and a Retry-After are read), so a controller restart meets the
// waits a fleet of real agents would draw. Only the report is the stand-in's: its snapshot carries
// stand-state.ts's domUs, not what an empty AgentState would say of this machine.
import { AgentConfigSchema } from '../../agent/config/schema.js';
import type { Effect } from '../../agent/core/effects.js';
import { connectLink, heardFrom, onHeartbeatTimer, onLinkClosed, onLinkFailed, onLinkMessage, onLinkOpen, onLinkSilence } from '../../agent/core/link.js';
import { initialState, type AgentState } from '../../agent/core/state.js';
import { fired } from '../../agent/core/timers.js';
import { LINK_HANDSHAKE_TIMEOUT_MS, LINK_MAX_PAYLOAD } from '../../agent/run/process-ports.js';
import type { Clock } from '../../shared/clock/clock.js';
import type { Link } from '../../shared/link/link.js';
import { connectAgentLink } from '../../shared/link/ws-connect.js';
import { ControllerMessageSchema, type AgentMessage } from '../../shared/protocol/agent-link.js';
import { standDomains, standState } from './stand-state.js';

/** What the stand-ins of one process saw, counted since the last report. */
export interface StormCounts {
  /** connections begun (each a TCP connect and a TLS handshake) */
  tries: number;
  /** connections that got as far as an open WebSocket */
  opened: number;
  /** tries that failed, by ConnectFailure kind and message (its figures left out) */
  readonly failed: Record<string, number>;
  /** failed tries whose answer carried a Retry-After */
  retryAfter: number;
  /** open links closed before their welcome or while up, by close code */
  readonly closed: Record<string, number>;
  /** snapshots sent after a welcome */
  snapshots: number;
  /** the waits the reducer drew before each next try, ms */
  readonly waits: number[];
}

export const noCounts = (): StormCounts => ({ tries: 0, opened: 0, failed: {}, retryAfter: 0, closed: {}, snapshots: 0, waits: [] });

export interface StormEnv {
  readonly url: string;
  readonly caPem: string;
  readonly hosts: readonly string[];
  readonly perHost: number;
  readonly clock: Clock;
  /** the counts now being gathered (the process swaps in a fresh one at each report) */
  counts(): StormCounts;
  /** a stand-in became fresh (see StormStand.fresh) */
  onFresh(): void;
}

const bump = (r: Record<string, number>, k: string): void => void (r[k] = (r[k] ?? 0) + 1);

/** a failure's message without its addresses and figures, so like failures count together */
const failureWords = (message: string): string => message.replace(/[\d.:[\]]+\d/g, 'N').slice(0, 80);

/** the link timers the storm needs; the rest (the fleet view going stale, a standby's primary check) change no try */
const LINK_TIMERS = new Set(['link-retry', 'link-silence', 'heartbeat']);

export class StormStand {
  private s: AgentState;
  private link: { readonly gen: number; readonly link: Link } | null = null;
  private readonly timers = new Map<string, () => void>();
  private stopped = false;
  /** its snapshot went out on the link now open */
  reported = false;
  /**
   * the controller took its snapshot in: a `fleet` view came after it on the link now open (the
   * controller sends one once a first report of the host is in, fleet-push.ts)
   */
  fresh = false;

  constructor(
    readonly index: number,
    readonly host: string,
    private readonly token: string,
    private readonly env: StormEnv,
  ) {
    const config = AgentConfigSchema.parse({ controller: { url: env.url, token } });
    const s = initialState({ config, host, pid: index + 1, now: env.clock.now(), seed: index + 1, handledThisBoot: new Set(), bootId: `boot-${index}`, agentVersion: 'bench', watchdogMs: null });
    this.s = { ...s, phase: 'running' };
  }

  start(): void {
    this.step((s, fx) => connectLink(s, fx));
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.link?.link.close(1000, 'bench done');
  }

  private step(f: (s: AgentState, fx: Effect[]) => AgentState): void {
    if (this.stopped) return;
    const fx: Effect[] = [];
    this.s = f(this.s, fx);
    for (const e of fx) this.run(e);
  }

  private run(e: Effect): void {
    if (e.e === 'link-connect') this.connect(e.gen);
    else if (e.e === 'link-send' && this.link?.gen === e.gen) this.send(this.link.link, e.message);
    else if (e.e === 'link-close' && this.link?.gen === e.gen) this.link.link.close(e.code, e.reason);
    else if (e.e === 'timer' && LINK_TIMERS.has(e.name)) this.arm(e.name, e.ms);
    else if (e.e === 'cancel-timer') {
      this.timers.get(e.name)?.();
      this.timers.delete(e.name);
    }
  }

  private arm(name: string, ms: number): void {
    if (name === 'link-retry') this.env.counts().waits.push(ms);
    this.timers.get(name)?.();
    this.timers.set(
      name,
      this.env.clock.schedule(ms, () => {
        this.timers.delete(name);
        this.step((s0, fx) => {
          const s = fired(s0, name);
          const now = this.env.clock.now();
          if (name === 'link-retry') return connectLink(s, fx);
          if (name === 'link-silence') return onLinkSilence(s, fx, now);
          return onHeartbeatTimer(s, fx, now);
        });
      }),
    );
  }

  /** the stand-in's own report in the real snapshot; a view word or a delta of an empty AgentState is not sent */
  private send(link: Link, m: AgentMessage): void {
    if (m.type === 'view' || m.type === 'delta') return;
    if (m.type === 'snapshot') {
      link.send(JSON.stringify({ type: 'snapshot', seq: m.seq, at: m.at, state: standState(this.index, this.env.hosts, standDomains(this.index, this.env.perHost), this.env.perHost) }));
      this.env.counts().snapshots++;
      this.reported = true;
      return;
    }
    link.send(JSON.stringify(m));
  }

  private connect(gen: number): void {
    if (this.stopped) return;
    this.env.counts().tries++;
    const t = { url: this.env.url, token: this.token, caPem: this.env.caPem, caFingerprint: null, maxPayload: LINK_MAX_PAYLOAD, handshakeTimeoutMs: LINK_HANDSHAKE_TIMEOUT_MS, clock: this.env.clock };
    void connectAgentLink(t).then((r) => {
      const now = this.env.clock.now();
      if (!r.ok) {
        bump(this.env.counts().failed, `${r.error.kind} (${failureWords(r.error.message)})`);
        const retryAfterMs = r.error.kind === 'unreachable' ? r.error.retryAfterMs : undefined;
        if (retryAfterMs !== undefined) this.env.counts().retryAfter++;
        return this.step((s, fx) => onLinkFailed(s, fx, gen, r.error.kind, r.error.message, now, retryAfterMs));
      }
      const link = r.value;
      if (this.stopped) return link.close(1000, 'bench done');
      this.env.counts().opened++;
      this.link = { gen, link };
      link.onMessage((text) => this.message(gen, text));
      link.onClose((code, reason) => {
        if (this.link?.gen === gen) this.link = null;
        this.reported = false;
        this.fresh = false;
        if (!this.stopped) bump(this.env.counts().closed, String(code));
        this.step((s, fx) => onLinkClosed(s, fx, gen, code, reason, this.env.clock.now()));
      });
      this.step((s, fx) => onLinkOpen(s, fx, gen, this.host));
    });
  }

  private message(gen: number, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const m = ControllerMessageSchema.safeParse(parsed);
    if (!m.success) {
      this.link?.link.close(1002, 'unreadable message');
      return;
    }
    const message = m.data;
    const now = this.env.clock.now();
    if (message.type === 'fleet' && this.reported && !this.fresh && this.link?.gen === gen) {
      this.fresh = true;
      this.env.onFresh();
    }
    this.step((s, fx) => {
      const n = heardFrom(s, fx, gen);
      return message.type === 'command' ? n : onLinkMessage(n, fx, gen, message, now);
    });
  }
}
