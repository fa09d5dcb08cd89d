import type { ErrorCode } from '../../shared/errors.js';
import { sameHostName } from '../../shared/names.js';
import { CLOSE, type Link } from '../../shared/link/link.js';
import {
  AGENT_LINK_PROTOCOL_VERSION,
  VersionProbeSchema,
  versionMismatch,
  type AgentMessage,
  type ControllerMessage,
  type DeltaMessage,
  type Hello,
  type ResultMessage,
  type SnapshotMessage,
  type ViewMessage,
} from '../../shared/protocol/agent-link.js';
import type { AgentLinkLog, LinkVoice } from './agent-link-log.js';
import { AgentMessageReader } from './agent-message-reader.js';
import { VERSION } from '../../shared/version.js';
import { helloAgentVersion, skewAdvice } from './version-skew.js';

/** Who the transport says is at the other end: the host its token is bound to. */
export interface AgentIdentity {
  readonly host: string;
}

/** What a session reports to the controller core; it owns no fleet state itself. */
export interface SessionEvents {
  /** a valid hello: the core registers the session (replacing an older one of the host) */
  hello(session: AgentSession, hello: Hello): void;
  /** a snapshot or delta in step: the host was heard from, and this is its state now */
  snapshot(session: AgentSession, msg: SnapshotMessage): void;
  delta(session: AgentSession, msg: DeltaMessage): void;
  /**
   * any other valid message: the host was heard from. (A report says so itself: at thousands of
   * deltas a second, storing the host's record once for being heard and again for its state was
   * a fifth of the work of taking a delta in.) AT: a heartbeat's time on the agent's clock.
   */
  seen(session: AgentSession, at?: number): void;
  progress(session: AgentSession, commandId: string, line: string): void;
  result(session: AgentSession, msg: ResultMessage): void;
  /** the agent says how current its view of its domains is (feature view-lag) */
  view(session: AgentSession, msg: ViewMessage): void;
  closed(session: AgentSession, code: number, reason: string): void;
}

type Phase = 'hello' | 'snapshot' | 'live' | 'closed';

/**
 * One agent's link, from the controller's side: every frame is parsed (JSON, then the schema)
 * before anything in it is believed, and the message order is enforced: hello → snapshot →
 * anything. A frame that breaks the protocol is refused: logged with its reason, answered with
 * `error`, and the link is closed; nothing else in the controller is touched.
 */
export class AgentSession {
  private phase: Phase = 'hello';
  private lastSeq = -1;
  /** the agent's release, from its hello: a frame refused later names it */
  private agentVersion: string | null = null;
  private ended = false;
  private readonly reader = new AgentMessageReader();
  private readonly voice: LinkVoice;

  constructor(
    readonly link: Link,
    readonly identity: AgentIdentity,
    private readonly events: SessionEvents,
    private readonly lines: AgentLinkLog,
    private readonly maxMessageBytes: number,
  ) {
    this.voice = lines.opened(identity.host);
    link.onMessage((text) => this.receive(text));
    link.onClose((code, reason) => {
      if (this.phase !== 'closed' && (code === CLOSE.tooBig || code === CLOSE.protocol)) {
        // the transport refused a frame itself (ws: above maxPayload, or a binary frame); a frame that
        // arrived wrong comes as a drop (shared/link/ws-link.ts), with ws's words as its reason
        this.lines.log.warn({ event: 'agent-refused', host: identity.host, remote: link.remote, code: 'XH_ERR_PROTOCOL', closeCode: code, reason }, `refused agent link of ${identity.host}: ${reason}`);
      } else if (this.phase !== 'closed') {
        this.logLine('info', { event: 'agent-link-closed', host: identity.host, remote: link.remote, code, reason }, `agent link of ${identity.host} closed (${code}${reason ? `: ${reason}` : ''})`);
      }
      this.end(code, reason);
    });
  }

  /**
   * A line about this link opening or closing: an agent reconnecting in a loop has them counted, not
   * each logged (agent-link-log.ts). A refusal is always logged: it says why, link by link.
   */
  logLine(level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void {
    this.lines.line(this.voice, level, fields, message);
  }

  get host(): string {
    return this.identity.host;
  }

  get live(): boolean {
    return this.phase === 'live';
  }

  /**
   * When the agent was last heard, given when its last message was handled: a link whose frames
   * still wait in our ingest queue (or whose socket we paused) has been heard, only not handled yet.
   */
  lastHeard(lastHandled: number): number {
    return Math.max(lastHandled, this.link.heardAt?.() ?? -Infinity);
  }

  send(msg: ControllerMessage): void {
    this.sendText(JSON.stringify(msg));
  }

  /** A message serialized already (the `fleet` views the controller keeps as text: fleet-view-cache.ts). */
  sendText(text: string): void {
    if (this.phase !== 'closed') this.link.send(text);
  }

  /** Closes without an error message (shutdown, replaced, stale). The core hears of it at once, not after the close handshake. */
  close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.logLine('info', { event: 'agent-link-closed', host: this.identity.host, remote: this.link.remote, code, reason }, `closing the agent link of ${this.identity.host} (${code}: ${reason})`);
    this.phase = 'closed';
    this.link.close(code, reason);
    this.end(code, reason);
  }

  /** Refuses the link: a logged reason (FIELDS added to its line), an `error` message, then close. */
  refuse(code: ErrorCode, message: string, closeCode: number, fields: Record<string, unknown> = {}): void {
    if (this.phase === 'closed') return;
    this.lines.log.warn({ event: 'agent-refused', host: this.identity.host, remote: this.link.remote, code, reason: message, ...fields }, `refused agent link of ${this.identity.host}: ${message}`);
    this.send({ type: 'error', code, message });
    this.phase = 'closed';
    this.link.close(closeCode, message);
    this.end(closeCode, message);
  }

  /**
   * Closes a link whose reports went out of step with the host's record (CLOSE.resync): the agent's
   * next link starts with a snapshot, so no operator need act. No `error` message goes first: every
   * agent release reads one as a refusal, while the close code alone is retried at the usual pace.
   * Logged as a link line: an agent stuck on this comes back at once, and its lines are counted.
   */
  resync(message: string): void {
    if (this.phase === 'closed') return;
    this.logLine('warn', { event: 'agent-resync', host: this.identity.host, remote: this.link.remote, closeCode: CLOSE.resync, reason: message }, `closing the agent link of ${this.identity.host} for a new snapshot: ${message}`);
    this.phase = 'closed';
    this.link.close(CLOSE.resync, message);
    this.end(CLOSE.resync, message);
  }

  /** Tells the core exactly once that this link is over. */
  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.phase = 'closed';
    this.events.closed(this, code, reason);
  }

  private receive(text: string): void {
    if (this.phase === 'closed') return;
    // the WebSocket enforces maxPayload itself; this covers links that do not (memory links)
    if (text.length > this.maxMessageBytes) {
      this.refuse('XH_ERR_PROTOCOL', `message of ${text.length} characters is above the limit of ${this.maxMessageBytes}`, CLOSE.tooBig);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.refuse('XH_ERR_PROTOCOL', 'a message that is not JSON', CLOSE.protocol);
      return;
    }
    if (this.phase === 'hello') {
      const probe = VersionProbeSchema.safeParse(raw);
      if (probe.success && probe.data.type === 'hello' && probe.data.protocol !== AGENT_LINK_PROTOCOL_VERSION) {
        this.refuse('XH_ERR_PROTOCOL', versionMismatch(probe.data.protocol, 'agent'), CLOSE.protocol);
        return;
      }
    }
    const parsed = this.reader.read(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
      const agent = this.agentVersion ?? helloAgentVersion(raw);
      if (agent === null) return this.refuse('XH_ERR_PROTOCOL', `a message that is not in the protocol (${issues})`.slice(0, 1000), CLOSE.protocol);
      // the versions and the fix first: a schema's complaint can run long, and the agent reads only so much of it
      const what = `a message that is not in the protocol of this controller: ${skewAdvice(agent, VERSION)}`;
      const why = ` (${issues})`.slice(0, Math.max(0, 1000 - what.length));
      this.refuse('XH_ERR_PROTOCOL', `${what}${why}`, CLOSE.protocol, { agentVersion: agent, controllerVersion: VERSION });
      return;
    }
    this.dispatch(parsed.data);
  }

  private dispatch(msg: AgentMessage): void {
    if (this.phase === 'hello') {
      if (msg.type !== 'hello') return this.refuse('XH_ERR_PROTOCOL', `expected hello first, got ${msg.type}`, CLOSE.protocol);
      if (msg.host !== this.identity.host) {
        // a token reports as the one spelling it was enrolled under: XEN1's token does not report as xen1
        const fix = sameHostName(msg.host, this.identity.host)
          ? `a token reports as the name it was enrolled under, in the same case: enroll this host as its agent names itself (xenherd-controller enroll ${msg.host}) and put that token in its agent.json`
          : `each host needs its own token: xenherd-controller enroll ${msg.host}`;
        return this.refuse('XH_ERR_AUTH', `the token of ${this.identity.host} was used to report as ${msg.host}: ${fix}`, CLOSE.policy);
      }
      this.phase = 'snapshot';
      this.agentVersion = msg.agentVersion;
      this.events.hello(this, msg);
      return;
    }
    if (msg.type === 'hello') return this.refuse('XH_ERR_PROTOCOL', 'a second hello on the same link', CLOSE.protocol);
    if (msg.type === 'snapshot' || msg.type === 'delta') {
      if (msg.type === 'delta' && this.phase !== 'live') return this.refuse('XH_ERR_PROTOCOL', 'a delta before the first snapshot', CLOSE.protocol);
      if (msg.seq <= this.lastSeq) return this.refuse('XH_ERR_PROTOCOL', `${msg.type} seq ${msg.seq} does not follow seq ${this.lastSeq}`, CLOSE.protocol);
      this.lastSeq = msg.seq;
      if (msg.type === 'snapshot') {
        this.phase = 'live';
        this.events.snapshot(this, msg);
      } else this.events.delta(this, msg);
      return;
    }
    if (msg.type === 'heartbeat') return this.events.seen(this, msg.at);
    if (this.phase !== 'live') return this.refuse('XH_ERR_PROTOCOL', `a ${msg.type} before the first snapshot`, CLOSE.protocol);
    this.events.seen(this);
    if (msg.type === 'progress') this.events.progress(this, msg.commandId, msg.line);
    else if (msg.type === 'view') this.events.view(this, msg);
    else this.events.result(this, msg);
  }
}
