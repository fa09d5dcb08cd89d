import { realClock } from '../../shared/clock/real-clock.js';
import type { Link } from '../../shared/link/link.js';
import { connectAgentLink } from '../../shared/link/ws-connect.js';
import {
  AGENT_LINK_PROTOCOL_VERSION,
  ControllerMessageSchema,
  type AgentMessage,
  type CommandMessage,
  type ControllerMessage,
  type FleetMessage,
} from '../../shared/protocol/agent-link.js';
import type { HostState, HostStatePatch } from '../../shared/protocol/agent-link-state.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { DomainRows } from '../../shared/protocol/domain-rows.js';
import { until, Wakes } from '../helpers/until.js';

/**
 * A stand-in agent that speaks the agent link protocol over any Link (memory or real wss): the
 * controller's tests drive it message by message, and a benchmark can run thousands of them.
 * What the controller sends is parsed with the protocol schema, like a real agent would.
 */
export class FakeAgent {
  readonly received: ControllerMessage[] = [];
  /** frames that failed the protocol schema (a controller bug if ever non-empty) */
  readonly garbage: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private seq = 0;
  private commandHandler: ((c: CommandMessage) => void) | null = null;
  private readonly wakes = new Wakes();

  constructor(
    readonly link: Link,
    readonly host: string,
    private readonly now: () => number,
  ) {
    link.onMessage((text) => {
      let parsed: ReturnType<typeof ControllerMessageSchema.safeParse> | null = null;
      try {
        parsed = ControllerMessageSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) this.garbage.push(text);
      else {
        this.received.push(parsed.data);
        if (parsed.data.type === 'command') this.commandHandler?.(parsed.data);
      }
      this.wakes.wake();
    });
    link.onClose((code, reason) => {
      this.closed = { code, reason };
      this.wakes.wake();
    });
  }

  send(msg: AgentMessage): void {
    this.link.send(JSON.stringify(msg));
  }

  sendRaw(text: string): void {
    this.link.send(text);
  }

  hello(over: Partial<Extract<AgentMessage, { type: 'hello' }>> = {}): void {
    this.send({ type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host: this.host, bootId: `boot-${this.host}`, agentVersion: '0.1.0', capabilities: ['migrate', 'reverse', 'fleet-view'], ...over });
  }

  snapshot(state: HostState): void {
    this.send({ type: 'snapshot', seq: ++this.seq, at: this.now(), state });
  }

  delta(state: HostStatePatch, rows?: DomainRows): void {
    this.send({ type: 'delta', seq: ++this.seq, at: this.now(), state, ...(rows === undefined ? {} : { rows }) });
  }

  heartbeat(): void {
    this.send({ type: 'heartbeat', at: this.now() });
  }

  progress(commandId: string, line: string): void {
    this.send({ type: 'progress', commandId, line });
  }

  result(commandId: string, outcome: CommandOutcome): void {
    this.send({ type: 'result', commandId, ...outcome });
  }

  onCommand(handler: (c: CommandMessage) => void): void {
    this.commandHandler = handler;
  }

  of<T extends ControllerMessage['type']>(type: T): Array<Extract<ControllerMessage, { type: T }>> {
    return this.received.filter((m): m is Extract<ControllerMessage, { type: T }> => m.type === type);
  }

  lastFleet(): FleetMessage | undefined {
    return this.of('fleet').at(-1);
  }

  /** Resolves once cond() holds, looked at again on every frame and close (for real sockets), or after 50 ms. */
  until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const seen = (): string => `${what} (${this.host} received ${JSON.stringify(this.received.map((m) => m.type))}, closed ${JSON.stringify(this.closed)})`;
    return until(cond, seen, { limitMs: timeoutMs, step: this.wakes.step(50) });
  }
}

export interface WssAgentOptions {
  /** ws(s)://HOST:PORT */
  readonly url: string;
  readonly token: string;
  /** PEM of the CA that signed the controller's certificate */
  readonly ca?: string;
  /** or: the CA pinned by fingerprint */
  readonly caFingerprint?: string;
  readonly host: string;
  readonly maxPayload?: number;
}

/** A FakeAgent on a real WebSocket (shared/link/ws-connect.ts, as an agent connects); rejects with the refusal. */
export async function connectFakeAgent(o: WssAgentOptions): Promise<FakeAgent> {
  const r = await connectAgentLink({ url: o.url, token: o.token, caPem: o.ca ?? null, caFingerprint: o.caFingerprint ?? null, maxPayload: o.maxPayload ?? 64 * 1024 * 1024, handshakeTimeoutMs: 10_000, clock: realClock });
  if (!r.ok) throw new Error(r.error.kind === 'refused' ? `HTTP ${r.error.status} ${r.error.code ?? ''}: ${r.error.message}` : `${r.error.kind}: ${r.error.message}`);
  return new FakeAgent(r.value, o.host, () => Date.now());
}
