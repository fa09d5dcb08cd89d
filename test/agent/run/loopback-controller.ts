import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { AGENT_LINK_PATH, AGENT_LINK_PROTOCOL_VERSION, AgentMessageSchema, type AgentMessage, type CommandBody, type ResultMessage } from '../../../shared/protocol/agent-link.js';
import { untilFound, Wakes } from '../../helpers/until.js';

/** The controller's end of one agent's link: welcome, then commands; every frame schema-checked. */
export class LoopbackController {
  readonly server: WebSocketServer;
  readonly frames: AgentMessage[] = [];
  readonly garbage: string[] = [];
  authorization: string | null = null;
  private socket: WebSocket | null = null;
  private readonly wakes = new Wakes();
  private ids = 0;

  constructor() {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: AGENT_LINK_PATH });
    this.server.on('connection', (ws, req) => {
      this.authorization = req.headers.authorization ?? null;
      this.socket = ws;
      ws.on('message', (data) => {
        const parsed = AgentMessageSchema.safeParse(JSON.parse(String(data)));
        if (!parsed.success) this.garbage.push(String(data));
        else {
          this.frames.push(parsed.data);
          if (parsed.data.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 1_000, staleAfterMs: 30_000 }));
          if (parsed.data.type === 'snapshot') ws.send(JSON.stringify({ type: 'fleet', at: Date.now(), runningOn: {} }));
        }
        this.wakes.wake();
      });
    });
  }

  url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** the first frame matching, waiting for it as frames arrive (at most timeoutMs) */
  frame<T extends AgentMessage>(pred: (m: AgentMessage) => m is T, what: string, timeoutMs = 20_000): Promise<T> {
    const seen = (): string => `${what} from the agent (frames: ${this.frames.map((f) => f.type).join(' ')})`;
    return untilFound(() => this.frames.find(pred), seen, { limitMs: timeoutMs, step: this.wakes.step(250) });
  }

  /** a frame to the agent, as the controller sends it */
  send(o: unknown): void {
    if (!this.socket) throw new Error('the agent is not connected');
    this.socket.send(JSON.stringify(o));
  }

  async command(body: CommandBody, timeoutMs?: number): Promise<ResultMessage> {
    const commandId = `cmd-${++this.ids}`;
    this.send({ type: 'command', commandId, ...body });
    return this.frame((m): m is ResultMessage => m.type === 'result' && m.commandId === commandId, `the result of ${body.op}`, timeoutMs);
  }

  async close(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

