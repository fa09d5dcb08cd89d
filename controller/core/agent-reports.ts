import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { AGENT_LINK_PROTOCOL_VERSION, welcomeTermsFor, type DeltaMessage, type Hello, type SnapshotMessage, type ViewMessage } from '../../shared/protocol/agent-link.js';
import { recordAfterReport, recordAtHello } from '../fleet/blind-rows.js';
import { figuresOnly, heardOnly, type FigureUpdate } from '../fleet/figures-only.js';
import { heardAt, newHostRecord, withView, type HostRecord } from '../fleet/host-record.js';
import { conflictInputsChanged } from '../fleet/report-state.js';
import type { AgentSession } from './agent-session.js';
import type { FleetPush } from './fleet-push.js';
import type { ControllerSettings } from './settings.js';

export interface AgentReportsDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings: Pick<ControllerSettings, 'heartbeatMs' | 'staleAfterMs'>;
  /** each host's current link */
  readonly sessions: ReadonlyMap<string, AgentSession>;
  readonly record: (host: string) => HostRecord | undefined;
  /** stores a record (announced to the jobs unless announce is false); returns the domUs whose place changed */
  readonly put: (record: HostRecord, announce?: boolean) => string[];
  /** writes a figures-only delta or a heartbeat into the host's record (announced to the jobs unless announce is false, as put does) */
  readonly takeFigures: (host: string, u: FigureUpdate, announce?: boolean) => void;
  readonly push: FleetPush;
  /** counts a report taken in (the monitor's numbers) */
  readonly received: (type: 'snapshot' | 'delta') => void;
  /** the conflicts are looked for again shortly */
  readonly alertsSoon: () => void;
  /** how many Dom0s are enrolled: the reconnect spread the welcome gives is derived from it */
  readonly enrolledCount: () => number;
}

/**
 * What an agent's hello and reports do to its host's record in the fleet view: a hello starts the
 * record over for the link (and is answered with the welcome), a snapshot or delta brings the
 * state, `seen` the time it was last heard, `view` whether its list of domains can be trusted.
 * Which agents hear of a change, and whether the conflicts need looking at again, follows.
 */
export class AgentReports {
  constructor(private readonly d: AgentReportsDeps) {}

  /** S is its host's current link now (the core has replaced any older one). */
  hello(s: AgentSession, hello: Hello): void {
    const before = this.d.record(s.host) ?? newHostRecord(s.host);
    const rebooted = before.bootId !== null && before.bootId !== hello.bootId;
    if (rebooted) this.d.log.info({ event: 'host-rebooted', host: s.host, bootId: hello.bootId }, `${s.host} rebooted since it last reported`);
    // up again with its snapshot; its last report dropped after a reboot, its view kept where the snapshot says it
    const changed = this.d.put(recordAtHello(before, hello));
    this.d.push.runningChanged(changed);
    s.send({ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: this.d.settings.heartbeatMs, staleAfterMs: this.d.settings.staleAfterMs, ...welcomeTermsFor(hello.capabilities, this.d.enrolledCount()) });
  }

  report(s: AgentSession, report: SnapshotMessage | DeltaMessage): void {
    this.d.received(report.type);
    const r = this.current(s);
    if (!r) return;
    const now = this.d.clock.now();
    // a delta of memory figures alone changes nothing anyone but a reader of those figures looks
    // at: it is written into the record held (figures-only.ts), with no new record to collect
    const figures = figuresOnly(r, report, now, this.d.settings.staleAfterMs);
    if (figures !== null) return this.d.takeFigures(s.host, figures);
    // while its agent cannot read xl list, the rows it last read are kept (blind-rows.ts)
    const n = recordAfterReport(r, report, now);
    // not a refusal: the agent's next link starts with a snapshot, which mends it
    if (!n.ok) return s.resync(`a delta out of step with the last report: ${n.error}; a new link starts with a snapshot`);
    if (n.value === null) return;
    const first = r.state === null || report.type === 'snapshot';
    const { state } = n.value;
    const changed = this.d.put(n.value);
    if (first) s.logLine('info', { event: 'agent-reported', host: s.host, domains: state.domains.length, remote: s.link.remote }, `${s.host} reported its state (${state.domains.length} domains)`);
    // what this agent should hear about may have changed (its guarded list or homes), and what
    // other agents should hear about (where their domUs run)
    if (first || report.state.guarded !== undefined || report.state.homes !== undefined) this.d.push.hostChanged(s.host);
    this.d.push.runningChanged(changed);
    if (conflictInputsChanged(r.state, state)) this.d.alertsSoon();
  }

  /** A message other than a report: the host was heard from now (AT: a heartbeat's time on the agent's clock). */
  seen(s: AgentSession, at: number | undefined): void {
    const r = this.current(s);
    if (!r) return;
    const now = this.d.clock.now();
    // a heartbeat every few seconds from each agent: written into the record held, as a figures-only delta is
    const heard = heardOnly(r, at, now, this.d.settings.staleAfterMs);
    if (heard !== null) return this.d.takeFigures(s.host, heard, false);
    this.d.put(heardAt(r, at, now), false);
  }

  /** Whether the agent's view of its domains is current, behind or unknown (its rows are marked stale meanwhile). */
  view(s: AgentSession, msg: ViewMessage): void {
    const r = this.current(s);
    if (!r) return;
    const n = withView(r, msg.view, this.d.clock.now());
    if (n === r) return;
    this.d.push.runningChanged(this.d.put(n));
    // out of unknown, the rows kept meanwhile give way to the agent's own
    if (n.state?.domains !== r.state?.domains) this.d.alertsSoon();
  }

  /** The host's record, if S is the host's current link (what a replaced link says is ignored). */
  private current(s: AgentSession): HostRecord | undefined {
    return this.d.sessions.get(s.host) === s ? this.d.record(s.host) : undefined;
  }
}
