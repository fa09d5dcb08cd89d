import type { AgentPorts } from '../../agent/run/ports.js';
import type { Clock } from '../../shared/clock/clock.js';
import { memoryLinkPair, type MemoryLinkPair } from '../../shared/link/memory-link.js';
import {
  AGENT_LINK_PROTOCOL_VERSION,
  AgentMessageSchema,
  type AgentMessage,
  type CommandBody,
  type ControllerMessage,
  type ResultMessage,
} from '../../shared/protocol/agent-link.js';
import type { HostState } from '../../shared/protocol/agent-link-state.js';
import { ok } from '../../shared/result.js';

/**
 * The controller's side of the agent link, reduced to what a test of the agent's commands needs:
 * it welcomes each agent, keeps the state it reports (snapshot, then deltas), sends it commands
 * and a fleet view, and parses every frame with the protocol's schemas — so an agent's result
 * whose `data` the controller could not read fails the test here.
 */
export interface SentCommand {
  readonly commandId: string;
  readonly progress: string[];
  result(): ResultMessage | null;
}

export class ControllerStandIn {
  private readonly links = new Map<string, MemoryLinkPair>();
  private readonly states = new Map<string, HostState>();
  private readonly results = new Map<string, ResultMessage>();
  private readonly progress = new Map<string, string[]>();
  /** the fleet view last sent to each host: repeated on its every heartbeat, as the controller does */
  private readonly lastFleet = new Map<string, Record<string, string[]>>();
  /** every frame of every agent, parsed, in arrival order */
  readonly received: { host: string; message: AgentMessage }[] = [];
  /** frames that failed the schema: an agent bug if ever non-empty */
  readonly garbage: string[] = [];
  private ids = 0;

  constructor(private readonly clock: Clock) {}

  connectFor(host: string): NonNullable<AgentPorts['connectController']> {
    return async () => {
      const pair = memoryLinkPair({ name: host, clock: this.clock });
      this.links.set(host, pair);
      pair.controller.onMessage((text) => this.onFrame(host, pair, text));
      return ok(pair.agent);
    };
  }

  /** the host's state as its snapshot and deltas built it; null before its snapshot */
  state(host: string): HostState | null {
    return this.states.get(host) ?? null;
  }

  command(host: string, body: CommandBody): SentCommand {
    const commandId = `test-${++this.ids}`;
    const lines: string[] = [];
    this.progress.set(commandId, lines);
    this.send(host, { type: 'command', commandId, ...body } as ControllerMessage);
    return { commandId, progress: lines, result: () => this.results.get(commandId) ?? null };
  }

  fleet(host: string, runningOn: Record<string, string[]>): void {
    this.lastFleet.set(host, runningOn);
    this.send(host, { type: 'fleet', at: this.clock.now(), runningOn });
  }

  private send(host: string, m: ControllerMessage): void {
    const pair = this.links.get(host);
    if (!pair) throw new Error(`no agent link of ${host}`);
    pair.controller.send(JSON.stringify(m));
  }

  private onFrame(host: string, pair: MemoryLinkPair, text: string): void {
    const parsed = AgentMessageSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      this.garbage.push(`${text}: ${parsed.error.message}`);
      return;
    }
    const m = parsed.data;
    this.received.push({ host, message: m });
    if (m.type === 'hello') pair.controller.send(JSON.stringify({ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 1_000, staleAfterMs: 3_000 }));
    if (m.type === 'snapshot') this.states.set(host, m.state);
    if (m.type === 'delta') {
      const before = this.states.get(host);
      if (before) this.states.set(host, { ...before, ...m.state } as HostState);
    }
    // the controller speaks every heartbeat (an agent closes a link silent for staleAfter)
    const view = this.lastFleet.get(host);
    if (m.type === 'heartbeat' && view !== undefined) pair.controller.send(JSON.stringify({ type: 'fleet', at: this.clock.now(), runningOn: view }));
    if (m.type === 'progress') this.progress.get(m.commandId)?.push(m.line);
    if (m.type === 'result') this.results.set(m.commandId, m);
  }
}
