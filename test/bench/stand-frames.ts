// The frames one stand-in agent sends, as text: its hello, its snapshot once welcomed, and a delta
// per change (a domU's memory moved: its row and the host's free memory). Kept apart from the
// socket that carries them, so the bench's stand-ins over wss (fake-fleet.ts) and the in-process
// measure of what the controller allocates per delta (ingest-alloc.ts) send the same frames.
import { AGENT_LINK_PROTOCOL_VERSION, LINK_FEATURE } from '../../shared/protocol/agent-link.js';
import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { standDelta, standDomains, standState } from './stand-state.js';

export class StandFrames {
  seq = 0;
  flips = 0;
  /** the controller took feature domain-rows: deltas carry the changed rows, as the real agent sends them then */
  rows = false;
  /** the domains section as the controller holds it */
  sent: LinkDomain[] = [];
  readonly domains: LinkDomain[];

  constructor(
    readonly index: number,
    readonly host: string,
    private readonly hosts: readonly string[],
    private readonly perHost: number,
    private readonly now: () => number,
  ) {
    this.domains = standDomains(index, perHost);
  }

  hello(): string {
    return JSON.stringify({ type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host: this.host, bootId: `boot-${this.index}`, agentVersion: 'bench', capabilities: ['migrate', LINK_FEATURE.domainRows, LINK_FEATURE.domainStarted] });
  }

  /** The snapshot answering a welcome that takes ACCEPTS. */
  snapshot(accepts: readonly string[] | undefined): string {
    this.rows = accepts?.includes(LINK_FEATURE.domainRows) ?? false;
    // an agent says since when Xen has run its domUs only to a controller that takes it, as real agents do
    if (!(accepts?.includes(LINK_FEATURE.domainStarted) ?? false)) throw new Error(`${this.host}: the controller did not take link feature ${LINK_FEATURE.domainStarted}; the stand-ins send startedAt on every row as agents do`);
    this.sent = [...this.domains];
    return JSON.stringify({ type: 'snapshot', seq: ++this.seq, at: this.now(), state: standState(this.index, this.hosts, this.domains, this.perHost) });
  }

  /**
   * One change, sent as an agent sends it: a domU's memory moved, so its row and the host's free
   * memory changed; `domains` as the changed rows where the controller takes those, else whole.
   */
  delta(extra: LinkDomain[] = []): string {
    const { message, domains } = standDelta(++this.seq, this.now(), this.domains, this.flips++, this.rows ? this.sent : null, extra);
    this.sent = domains;
    return JSON.stringify(message);
  }
}
