import type { Link } from '../../shared/link/link.js';
import { ControllerMessageSchema, VersionProbeSchema, versionMismatch, AGENT_LINK_PROTOCOL_VERSION, type AgentMessage } from '../../shared/protocol/agent-link.js';
import type { AgentEvent } from '../core/events.js';
import type { AgentPorts } from './ports.js';

/**
 * The controller link's I/O: open it (the ports say how: WebSocket, or a memory link in tests),
 * parse every frame with the protocol's schemas before the core sees it, send what the core
 * says. One link at a time, tagged with the core's connection generation.
 */
export class LinkRunner {
  private current: { gen: number; link: Link } | null = null;

  constructor(
    private readonly ports: AgentPorts,
    private readonly post: (ev: AgentEvent) => void,
  ) {}

  /** Dials the controller URL of index URL (0: the primary, then the standbys). */
  connect(gen: number, url: number): void {
    const open = this.ports.connectController;
    if (!open) return;
    this.current?.link.close(1000, 'replaced by a new connection');
    this.current = null;
    void open(url).then(
      (r) => {
        if (!r.ok) return this.post({ t: 'link-failed', gen, kind: r.error.kind, message: r.error.message, ...(r.error.retryAfterMs !== undefined ? { retryAfterMs: r.error.retryAfterMs } : {}) });
        const link = r.value;
        this.current = { gen, link };
        link.onMessage((text) => this.receive(gen, text));
        link.onClose((code, reason) => {
          if (this.current?.link === link) this.current = null;
          this.post({ t: 'link-closed', gen, code, reason });
        });
        this.post({ t: 'link-open', gen });
      },
      (e: unknown) => this.post({ t: 'link-failed', gen, kind: 'unreachable', message: String(e) }),
    );
  }

  /** Asks whether the primary controller answers; without a way to ask, it does not. */
  probePrimary(gen: number): void {
    const probe = this.ports.probePrimary ?? (async () => false);
    void probe().then(
      (answers) => this.post({ t: 'link-primary-probed', gen, answers }),
      () => this.post({ t: 'link-primary-probed', gen, answers: false }),
    );
  }

  send(gen: number, message: AgentMessage): void {
    if (this.current?.gen === gen) this.current.link.send(JSON.stringify(message));
  }

  close(gen: number, code: number, reason: string): void {
    if (this.current?.gen !== gen) return;
    this.current.link.close(code, reason);
    this.current = null;
  }

  private receive(gen: number, text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.post({ t: 'link-bad-message', gen, why: 'not JSON' });
    }
    const probe = VersionProbeSchema.safeParse(raw);
    if (probe.success && probe.data.type === 'welcome' && probe.data.protocol !== AGENT_LINK_PROTOCOL_VERSION) {
      return this.post({ t: 'link-bad-message', gen, why: versionMismatch(probe.data.protocol, 'controller') });
    }
    const m = ControllerMessageSchema.safeParse(raw);
    if (!m.success) return this.post({ t: 'link-bad-message', gen, why: m.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') });
    this.post({ t: 'link-message', gen, message: m.data });
  }
}
