import { sayLinkClosed } from './link-closed-log.js';
import type { Clock } from '../../shared/clock/clock.js';
import { RefusedAgents, withTokenRefusals } from '../fleet/refused-agents.js';
import { OwnedTimers } from '../../shared/clock/owned-timers.js';
import type { XhError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { CLOSE, type Link } from '../../shared/link/link.js';
import type { Hello } from '../../shared/protocol/agent-link.js';
import type { CommandOutcome, CommandRequest, DomainsAnswer, HostsAnswer, StatusAnswer, WhereAnswer } from '../../shared/protocol/ctl-api.js';
import type { DrbdAnswer } from '../../shared/protocol/ctl-drbd.js';
import type { JobsAnswer } from '../../shared/protocol/ctl-jobs.js';
import { err, ok, type Result } from '../../shared/result.js';
import { FleetIndex } from '../fleet/fleet-index.js';
import { leftForElsewhere } from '../fleet/reports-elsewhere.js';
import { newHostRecord, type Freshness, type HostRecord } from '../fleet/host-record.js';
import { storedRecord } from '../fleet/stored-record.js';
import { compilePattern } from '../../shared/name-pattern.js';
import { drbdView } from '../fleet/drbd-view.js';
import { domainsAnswer, hostViews, statusAnswer, whereMatches, whereWithViews } from '../fleet/views.js';
import { whereWithUnreported, type Enrolment } from '../fleet/enrolment.js';
import type { ServerCertificate } from '../fleet/server-certificate.js';
import { EnrolledHosts } from './enrolled-hosts.js';
import { FleetPush } from './fleet-push.js';
import { HelloDeadlines } from './hello-deadlines.js';
import { FINISHED_KEPT, JobHub } from '../jobs/job-hub.js';
import { DEFAULT_JOB_SETTINGS, type JobSettings } from '../jobs/settings.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import type { RollRecords } from '../plan/roll-record.js';
import { AgentLinkLog } from './agent-link-log.js';
import { AgentReports } from './agent-reports.js';
import { AlertKeeper } from './alert-keeper.js';
import { AgentSession, type AgentIdentity, type SessionEvents } from './agent-session.js';
import { FleetMonitor } from './fleet-monitor.js';
import { hearingAfter, sweepLinks } from './link-sweep.js';
import { fleetPort } from './fleet-port.js';
import { dryRunOutcome, startOperatorCommand, type CommandStarted, type OperatorCommandDeps, type OperatorIdentity } from './operator-command.js';
import { PendingCommands, type CommandSink } from './pending-commands.js';
import { ReplicationLog } from './replication-log.js';
import type { ControllerCoreOptions } from './core-options.js';
import { DEFAULT_SETTINGS, type ControllerSettings } from './settings.js';

export type { ControllerCoreOptions } from './core-options.js';

export type { CommandStarted, OperatorIdentity } from './operator-command.js';

/**
 * The controller without its sockets: agent links in (any Link: WebSocket or memory), the fleet
 * view and its alerts, operator queries and commands out. Time and timers come only from the
 * injected clock, so a test runs it beside agent cores on the deterministic clock.
 */
export class ControllerCore {
  readonly settings: ControllerSettings;
  private readonly index = new FleetIndex();
  private readonly refusedAgents = new RefusedAgents();
  /** name → host → that host's config of it (the `domus` sections), for the planner */
  private readonly listeners = new Set<(host: string) => void>();
  /** the orchestration jobs (drain, restore, rebalance, roll, maintenance) and plans */
  readonly hub: JobHub;
  /** the Nagios verdict and the Prometheus numbers (GET /v1/check, GET /metrics) */
  readonly monitor: FleetMonitor;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly alerts: AlertKeeper;
  private readonly pending: PendingCommands;
  private readonly timers: OwnedTimers;
  private readonly hellos: HelloDeadlines;
  private readonly push: FleetPush;
  private readonly enrolled: EnrolledHosts;
  private readonly links: AgentLinkLog;
  private readonly reports: AgentReports;
  private readonly replication: ReplicationLog;
  private alertsArmed = false;
  private closed = false;
  private hearingSince = -Infinity;

  constructor(private readonly o: ControllerCoreOptions) {
    this.settings = { ...DEFAULT_SETTINGS, ...o.settings };
    this.enrolled = new EnrolledHosts(o.enrolled, o.clock.now());
    this.timers = new OwnedTimers(o.clock);
    this.monitor = new FleetMonitor({
      index: this.index,
      alerts: () => {
        this.refreshAlerts();
        return this.alerts.sorted();
      },
      fresh: () => this.fresh(),
      liveLinks: () => [...this.sessions.values()].filter((s) => s.live).length,
      inFlightOps: () => this.pending.inFlightOps(),
      jobs: () => this.hub.progress(),
      finished: () => this.hub.finished(),
      enrolment: () => this.enrolledNow(),
      refused: (h) => this.refusedAgents.of(h),
      ...(o.certificate !== undefined ? { certificate: o.certificate } : {}),
    });
    this.pending = new PendingCommands(o.clock, o.log, this.settings.commandTimeoutMs, this.monitor.commandFinished, (target) => this.push.send(target));
    this.alerts = new AlertKeeper(o.log, o.clock, this.settings.alertScanEveryMs);
    this.replication = new ReplicationLog(o.log);
    const port = fleetPort({
      clock: o.clock,
      log: o.log,
      identity: o.identity ?? 'xenherd-controller',
      newId: o.newId,
      staleAfterMs: this.settings.staleAfterMs,
      index: this.index,
      configs: this.index.configs,
      sessions: this.sessions,
      pending: this.pending,
      listeners: this.listeners,
      fresh: () => this.fresh(),
    });
    this.hub = new JobHub(port, { ...DEFAULT_JOB_SETTINGS, ...o.jobs }, DEFAULT_POLICY, o.rollRecords);
    this.push = new FleetPush({ index: this.index, sessions: this.sessions, clock: o.clock, after: (ms, fn) => this.after(ms, fn), coalesceMs: this.settings.fleetCoalesceMs, fresh: () => this.fresh(), closed: () => this.closed, enrolment: () => this.enrolled.enrolment() });
    this.hellos = new HelloDeadlines((ms, fn) => this.after(ms, fn), this.settings.staleAfterMs);
    this.links = new AgentLinkLog(o.log, o.clock, (ms, fn) => this.after(ms, fn));
    this.reports = new AgentReports({ clock: o.clock, log: o.log, settings: this.settings, sessions: this.sessions, record: (h) => this.index.record(h), put: (r, announce) => this.put(r, announce), takeFigures: (h, u, announce = true) => { this.index.takeFigures(h, u); if (announce) this.announce(h); }, push: this.push, received: (t) => this.monitor.received(t), alertsSoon: () => this.alertsSoon(), enrolledCount: () => this.enrolled.enrolment()?.hosts.size ?? 0 });
    this.enrolledNow();
    this.sweepLater();
  }

  /** A new agent link whose transport authenticated it as identity.host. */
  /** HOST's agent link was refused for REASON, its token id TOKEN_ID being the one enrolled for HOST; not noted while HOST has a link of its own: that dial is anyone's who knows the id, not its agent's, and would send HOST's operator to enroll it again once HOST went down. */
  agentRefused(host: string, tokenId: string, reason: string): void {
    if (!this.sessions.has(host)) this.refusedAgents.refused(host, tokenId, reason, this.o.clock.now());
  }

  acceptAgent(link: Link, identity: AgentIdentity): AgentSession {
    this.refusedAgents.clear(identity.host);
    const s = new AgentSession(link, identity, this.events, this.links, this.settings.maxMessageBytes);
    if (this.closed) s.close(CLOSE.goingAway, 'controller shutting down');
    this.hellos.start(s);
    return s;
  }

  where(pattern: string): Result<WhereAnswer, XhError> {
    const p = compilePattern(pattern);
    if (!p.ok) return err({ code: 'XH_ERR_USAGE', message: p.error });
    const { matches, notListing } = whereWithViews(whereWithUnreported(whereMatches(this.index, p.value, this.fresh(), (n) => this.alerts.idsOf(n), this.alerts.drbdAlerts()), this.enrolled.unreportedCount), this.index, this.fresh());
    return ok({ at: this.o.clock.now(), pattern, matches, ...(this.enrolled.unreportedCount > 0 ? { unreported: [...this.enrolled.unreportedHosts()], ...this.enrolled.starting(this.fresh()) } : {}), ...(notListing.length > 0 ? { notListing } : {}) });
  }

  /** The DRBD resources, or those PATTERN matches by their name or a domU's using them (null: all). */
  drbd(pattern: string | null): Result<DrbdAnswer, XhError> {
    const p = pattern === null ? null : compilePattern(pattern);
    if (p !== null && !p.ok) return err({ code: 'XH_ERR_USAGE', message: p.error });
    return ok({ at: this.o.clock.now(), pattern, resources: drbdView(this.index, this.fresh(), p === null ? null : p.value, this.enrolled.unreportedHosts()) });
  }

  hosts(): HostsAnswer {
    this.enrolledNow();
    return { at: this.o.clock.now(), hosts: withTokenRefusals(hostViews(this.index, this.fresh()), (h) => this.refusedAgents.of(h)), startedAt: this.enrolled.startedAt, ...this.enrolled.graceUntil(this.fresh()) };
  }

  domains(host: string | null): Result<DomainsAnswer, XhError> {
    const a = domainsAnswer(this.index, host, this.fresh());
    const unreported = this.enrolled.unreportedHosts();
    return a.ok && host === null && unreported.length > 0 ? ok({ ...a.value, unreported: [...unreported] }) : a;
  }

  /** The fleet summary, alerts first, with check's verdict at its defaults: status must not look healthier than check. */
  status(): StatusAnswer {
    this.enrolledNow();
    this.refreshAlerts();
    const a = statusAnswer(this.index, this.alerts.sorted(), this.fresh());
    // counted from the verdict it shows, so the two never disagree
    const { verdict, down } = this.monitor.statusOfFleet();
    return { ...a, summary: { ...a.summary, down }, hosts: withTokenRefusals(a.hosts, (h) => this.refusedAgents.of(h)), verdict };
  }

  /** Routes an operator's command to the right agent; progress and the outcome go to sink. */
  command(req: CommandRequest, operator: OperatorIdentity, sink: CommandSink): Result<CommandStarted, XhError> {
    return startOperatorCommand(this.commandDeps(), req, operator, sink);
  }

  /** What the controller would do with a migrate (`--dry-run`), by the same checks, nothing sent. */
  commandDryRun(req: Extract<CommandRequest, { op: 'migrate' }>): Result<CommandOutcome, XhError> {
    return dryRunOutcome(this.commandDeps(), req);
  }

  private commandDeps(): OperatorCommandDeps {
    return { index: this.index, sessions: this.sessions, pending: this.pending, newId: this.o.newId, fresh: this.fresh(), drbdAlerts: this.alerts.drbdAlerts(), clock: this.o.clock, listeners: this.listeners, limits: this.hub.settings };
  }

  jobs(): JobsAnswer {
    return { at: this.o.clock.now(), jobs: this.hub.list(), finished: this.hub.finished(), keeps: FINISHED_KEPT, commands: this.pending.operatorMoves(), cut: this.hub.cut() };
  }

  /** Stops the jobs and timers and closes every agent link (commands in flight end with XH_ERR_AGENT_LINK_LOST); resolves once each job has ended. */
  close(): Promise<void> {
    this.closed = true;
    const jobsEnded = this.hub.close();
    this.timers.cancelAll();
    this.alerts.stop();
    this.pending.closeAll();
    for (const s of [...this.sessions.values()]) s.close(CLOSE.goingAway, 'controller shutting down');
    this.links.flushAll();
    return jobsEnded;
  }

  private readonly events: SessionEvents = {
    hello: (s, hello) => this.onHello(s, hello),
    snapshot: (s, msg) => {
      this.hellos.end(s);
      this.reports.report(s, msg);
    },
    delta: (s, msg) => this.reports.report(s, msg),
    seen: (s, at) => this.reports.seen(s, at),
    progress: (s, id, line) => this.pending.progress(s, id, line),
    result: (s, msg) => this.pending.result(s, msg),
    view: (s, msg) => this.reports.view(s, msg),
    closed: (s, code, reason) => this.onClosed(s, code, reason),
  };

  private onHello(s: AgentSession, hello: Hello): void {
    const old = this.sessions.get(s.host);
    this.sessions.set(s.host, s);
    if (old && old !== s) old.close(CLOSE.replaced, 'replaced by a newer link of the same host');
    this.reports.hello(s, hello);
  }

  private onClosed(s: AgentSession, code: number, reason: string): void {
    this.hellos.end(s);
    this.pending.linkClosed(s, code, reason);
    if (this.sessions.get(s.host) !== s) return;
    this.sessions.delete(s.host);
    const r = this.index.record(s.host);
    // how it closed tells an agent restarting from one lost (fleet/agent-stop.ts), or one gone to another controller (fleet/reports-elsewhere.ts)
    const left = r && leftForElsewhere({ ...r, linkUp: false, linkClosed: { at: this.o.clock.now(), code, reason } });
    if (left) this.push.runningChanged(this.put(left));
    if (!this.closed) sayLinkClosed(s, code, reason, (h) => this.index.record(h), this.o.log, this.after);
    if (!this.enrolled.isEnrolled(s.host)) this.forget(s.host);
    this.alertsSoon();
  }

  /** Stores HOST's record; a change of its state, link or boot is announced to the jobs. */
  private put(record: HostRecord, announce = true): string[] {
    const now = this.o.clock.now();
    const r = storedRecord(record, this.index.record(record.host), now, this.settings.staleAfterMs);
    const changed = this.index.put(r);
    // the record as the index holds it, its sections shared (held-configs.ts, held-drbd.ts): not the report's own copies
    this.replication.note(this.index.record(r.host) ?? r);
    this.enrolled.note(r.host, r.state !== null);
    if (announce) this.announce(r.host);
    return changed;
  }

  /** Tells the jobs HOST's record changed (a job may wait for free memory, which a figures-only delta brings). */
  private announce(host: string): void {
    if (this.listeners.size > 0) for (const l of [...this.listeners]) l(host);
  }

  private fresh(): Freshness {
    return { now: this.o.clock.now(), staleAfterMs: this.settings.staleAfterMs, startedAt: this.enrolled.startedAt, moves: this.pending.movesUnderWay() };
  }

  private readonly after = (ms: number, fn: () => void): (() => void) => this.timers.after(ms, fn);

  /** Asks which hosts are enrolled: one joining gets a placeholder record, one leaving is forgotten once its link is down. */
  private enrolledNow(): Enrolment | undefined {
    this.enrolled.refresh({ joined: (h) => this.index.record(h) ?? this.put(newHostRecord(h), false), left: (h) => this.sessions.has(h) || this.forget(h) });
    return this.enrolled.enrolment();
  }

  /** Drops HOST's record and all it reported (its domUs, homes, ledger): a Dom0 no longer enrolled, its link down. */
  private forget(host: string): void {
    const r = this.index.record(host);
    if (r === undefined) return;
    const changed = this.index.remove(host);
    this.replication.forget(host);
    this.enrolled.forgot(host, r.lastSeen);
    this.o.log.info({ event: 'host-forgotten', host }, `${host} is no longer enrolled and not connected: forgotten`);
    this.push.runningChanged(changed);
    this.announce(host);
    this.alertsSoon();
  }

  /** Every heartbeat: close links gone silent, send every agent its fleet view, look for conflicts. */
  private sweepLater(): void {
    const due = this.o.clock.now() + this.settings.heartbeatMs;
    this.after(this.settings.heartbeatMs, () => {
      this.hearingSince = hearingAfter(this.hearingSince, due, this.o.clock.now(), this.o.log);
      const lastSeen = (host: string): number | null => this.index.record(host)?.lastSeen ?? null;
      sweepLinks([...this.sessions.values()], { clock: this.o.clock, log: this.o.log, staleAfterMs: this.settings.staleAfterMs, lastSeen, alive: (s) => this.push.send(s.host), hearingSince: this.hearingSince });
      this.enrolledNow();
      this.alerts.refreshInSlices(this.index, () => this.fresh());
      this.sweepLater();
    });
  }

  private alertsSoon(): void {
    if (this.alertsArmed || this.closed) return;
    this.alertsArmed = true;
    this.after(this.settings.alertDebounceMs, () => {
      this.alertsArmed = false;
      this.alerts.refreshInSlices(this.index, () => this.fresh());
    });
  }

  private readonly refreshAlerts = (): void => this.alerts.refresh(this.index, this.fresh());
}
