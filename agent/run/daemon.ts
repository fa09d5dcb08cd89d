import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AgentStatus, ControlRequest, ControlResponse } from '../../shared/protocol/agent-control.js';
import { CONTROL_PROTOCOL_VERSION } from '../../shared/protocol/agent-control.js';
import type { InventoryDomain } from '../../shared/inventory.js';
import { createDrbdAdapter, procDrbdReader } from '../adapters/drbd.js';
import type { ToolRunner } from '../adapters/exec.js';
import type { HostFiles } from '../adapters/host-files.js';
import type { SdNotify } from '../adapters/sd-notify.js';
import { createToolstack, type Toolstack } from '../adapters/toolstack.js';
import { openToolstackWithList } from './open-toolstack.js';
import type { SpawnStream } from '../adapters/line-stream.js';
import type { AgentConfig } from '../config/schema.js';
import { decideAll, forceVerdict } from '../decide/autostart-all.js';
import type { AutostartDecision } from '../decide/autostart.js';
import type { HostSnapshot, GuardedEntry } from '../state/snapshot.js';
import { jitteredMs, retryDelayMs } from './backoff.js';
import { BootRecord } from './boot-record.js';
import { DomainSource } from './domain-source.js';
import { DrbdSource } from './drbd-source.js';
import { Executor, type StartOutcome, type StartRequest } from './executor.js';
import { checkCoexistence, readGuarded, readMaintenance } from './host-read.js';
import { readLedgerPart } from './ledger-read.js';
import { reconcile, type Ledger } from '../state/ledger.js';
import { createStillRunning, StartIntents } from './start-intents.js';
import { guardedStatus, reasonOf, statusLine, type DomuRecord } from './status.js';
import { Timers } from './timers.js';
import { coalesced } from './coalesce.js';
import { DomuHolds } from './holds.js';
import type { ControlConnection } from '../control/server.js';

export interface DaemonDeps {
  readonly config: AgentConfig;
  /** real paths of the state dir and the runtime dir (the control socket's dir) */
  readonly stateDirReal: string;
  readonly runtimeDirReal: string;
  readonly run: ToolRunner;
  readonly spawn: SpawnStream;
  readonly files: HostFiles;
  readonly log: Logger;
  readonly notify: SdNotify | null;
}

/**
 * The agent daemon: keeps a snapshot of this host current from its event sources, decides every
 * guarded domU on each change (agent/decide, pure), and hands starts to the executor.
 */
export class Daemon {
  private config: AgentConfig;
  private toolstack: Toolstack | null = null;
  private host = hostname();
  private domains: InventoryDomain[] | null = null;
  private guarded: GuardedEntry[] = [];
  private maintenance = false;
  private awayTo = new Map<string, string>();
  private ledgerProblem: string | null = null;
  private ledger: Ledger | null = null;
  private ownNames = new Set<string>();
  private lastMismatches = '';
  private warnings: string[] = [];
  private enabled: boolean;
  private readonly records = new Map<string, DomuRecord>();
  private readonly holds = new DomuHolds();
  private readonly timers = new Timers();
  private readonly drbd: DrbdSource;
  private readonly domainSource: DomainSource;
  private readonly executor: Executor;
  private readonly intents: StartIntents;
  private readonly boot: BootRecord;
  private readonly startedAt = new Date();
  private lastFullRead: Date | null = null;
  private decidePending = false;
  private lastStatusLine = '';
  private stopping = false;
  /** no decision before the first full read (and the first events2 dump) are complete */
  private firstReadDone = false;
  /** the whole host read again (guarded dir, ledger, toolstack, DRBD) */
  private readonly fullRead = coalesced(() => this.fullReadOnce(), () => this.stopping);
  /** xl list read again */
  private readonly readDomains = coalesced(() => this.listOnce(), () => this.stopping);

  constructor(private readonly d: DaemonDeps) {
    this.config = d.config;
    this.enabled = d.config.autostart.enabled;
    const readProc = procDrbdReader(d.files);
    const adapter = createDrbdAdapter({ run: d.run, readProcDrbd: readProc });
    const ev = d.config.events;
    this.drbd = new DrbdSource({ adapter, readProc, spawn: d.spawn, mode: ev.drbd, pollMs: ev.pollSeconds * 1000, respawnMaxMs: ev.respawnMaxSeconds * 1000, log: d.log, onChange: () => this.scheduleDecide() });
    this.domainSource = new DomainSource({ run: d.run, spawn: d.spawn, mode: ev.domains, pollMs: ev.pollSeconds * 1000, respawnMaxMs: ev.respawnMaxSeconds * 1000, log: d.log, onHint: () => void this.readDomains() });
    this.intents = new StartIntents(d.stateDirReal);
    this.boot = new BootRecord(`${d.runtimeDirReal}/autostart-boot.json`);
    this.executor = new Executor({
      parallel: () => this.config.autostart.parallel,
      recheck: (name) => this.recheck(name),
      create: async (configPath, onSpawn) => {
        if (!this.toolstack) return { ok: false, error: { code: 'XH_ERR_TOOL_NOT_FOUND', message: 'no toolstack (xl/xm) answers on this host' } };
        const run: ToolRunner = (tool, args, o) => this.d.run(tool, args, { ...o, onSpawn });
        const ts = createToolstack(this.toolstack.kind, { run });
        return ts.create(configPath);
      },
      intents: this.intents,
      log: d.log,
      onOutcome: (req, o) => this.onOutcome(req, o),
    });
  }

  /** First full read with the event sources starting alongside, first decisions made: then READY. */
  async start(): Promise<void> {
    await this.waitForLeftoverStarts();
    this.domainSource.start();
    await this.fullRead();
    await this.drbd.waitInitial(3_000);
    this.firstReadDone = true;
    this.decideNow();
    this.timers.every('resync', this.config.events.resyncSeconds * 1000, () => void this.fullRead());
    const line = this.statusLine();
    this.d.log.info({ drbd: this.drbd.describe(), domains: this.domainSource.describe(), toolstack: this.toolstack?.kind ?? null }, `ready: ${line}`);
    await this.sdNotify(true, line);
    // after READY: nothing a decision needs
    this.warnings = await checkCoexistence(this.d.files, this.guarded);
    for (const w of this.warnings) this.d.log.warn({ coexistence: true }, w);
    if (this.toolstack) {
      const info = await this.toolstack.info();
      if (info.ok && info.value.host) this.host = info.value.host;
    }
  }

  /** SIGHUP: the new config (already validated) applies; everything is read and decided again. */
  async reload(config: AgentConfig): Promise<void> {
    const sourcesChanged = JSON.stringify(config.events) !== JSON.stringify(this.config.events);
    this.config = config;
    this.d.log.level = config.logLevel;
    if (sourcesChanged) this.d.log.warn('events.* changed: the new watcher settings apply after a restart of the agent');
    this.timers.clear('resync');
    this.timers.every('resync', config.events.resyncSeconds * 1000, () => void this.fullRead());
    await this.fullRead();
    this.warnings = await checkCoexistence(this.d.files, this.guarded);
    for (const w of this.warnings) this.d.log.warn({ coexistence: true }, w);
    this.d.log.info('configuration reloaded, every guarded domU decided again');
  }

  /** SIGTERM: no new starts, watchers stopped (their process groups killed), running `xl create`s finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.timers.clearAll();
    await Promise.all([this.drbd.stop(), this.domainSource.stop(), this.executor.close()]);
  }

  // ---- reading ------------------------------------------------------------------------------

  /** An agent killed while an `xl create` ran: wait (bounded) until that process is gone. */
  private async waitForLeftoverStarts(): Promise<void> {
    const deadline = Date.now() + 150_000;
    for (const intent of this.intents.readAll()) {
      if (!createStillRunning(intent)) {
        this.intents.remove(intent.name);
        continue;
      }
      this.d.log.warn({ domu: intent.name, pid: intent.pid }, `an xl create for ${intent.name} from before this agent started is still running: waiting for it`);
      while (createStillRunning(intent) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      this.intents.remove(intent.name);
    }
  }

  private async fullReadOnce(): Promise<void> {
    const [guarded, maintenance] = await Promise.all([readGuarded(this.d.files, this.config.guardedDir), readMaintenance(this.d.files, this.config.stateDir)]);
    if (guarded.problem) this.d.log.error({ code: 'XH_ERR_FILE' }, `guarded dir unreadable: ${guarded.problem}`);
    const ledger = await readLedgerPart(this.d.files, this.d.stateDirReal, this.host, this.config, guarded.entries);
    if (ledger.problem && ledger.problem !== this.ledgerProblem) this.d.log.error({ code: 'XH_ERR_LEDGER_CORRUPT' }, `ledger unreadable, nothing is started: ${ledger.problem}`);
    this.ledgerProblem = ledger.problem;
    this.awayTo = ledger.awayTo;
    this.ledger = ledger.ledger;
    this.ownNames = new Set(guarded.entries.map((g) => g.name));
    // visitors recorded in the ledger belong here until they go home: guarded like our own
    this.guarded = [...guarded.entries, ...ledger.visitors];
    this.maintenance = maintenance;
    await Promise.all([this.openOrList(), this.drbd.refresh([...new Set(this.guarded.flatMap((g) => g.drbdResources))])]);
    this.lastFullRead = new Date();
    this.scheduleDecide();
  }

  private async openOrList(): Promise<void> {
    if (this.toolstack) return this.readDomains();
    const r = await openToolstackWithList(this.d.run, this.config.toolstack);
    if (!r.ok) {
      this.d.log.error({ code: r.error.code }, `no toolstack answers: ${r.error.message}`);
      return;
    }
    this.toolstack = r.value.toolstack;
    if (r.value.domains.ok) this.domains = r.value.domains.value;
    else this.d.log.error({ code: r.value.domains.error.code }, `cannot list domains: ${r.value.domains.error.message}`);
  }

  private async listOnce(): Promise<void> {
    if (!this.toolstack) return;
    const r = await this.toolstack.list();
    if (r.ok) this.domains = r.value;
    else {
      this.d.log.error({ code: r.error.code }, `cannot list domains: ${r.error.message}`);
      this.domains = null;
    }
    this.scheduleDecide();
  }

  // ---- deciding -----------------------------------------------------------------------------

  private snapshot(over: Partial<HostSnapshot> = {}): HostSnapshot {
    return {
      host: this.host,
      domains: this.domains,
      guarded: this.guarded,
      maintenance: this.maintenance,
      awayTo: this.awayTo,
      ledgerProblem: this.ledgerProblem,
      fleetRunningOn: null,
      handledThisBoot: this.boot.all,
      drbd: { availability: this.drbd.availability, resources: this.drbd.views() },
      ...over,
    };
  }

  /** The ledger against xl list after every read: mismatches are logged (once each), never rewritten. */
  private reportMismatches(): void {
    if (!this.ledger || !this.domains) return;
    const { mismatches } = reconcile(this.ledger, this.domains.map((d) => d.name), this.ownNames);
    const key = JSON.stringify(mismatches);
    if (key === this.lastMismatches) return;
    this.lastMismatches = key;
    for (const m of mismatches) this.d.log.warn({ code: 'XH_ERR_LEDGER_MISMATCH', domu: m.domu, mismatch: m.kind }, `ledger mismatch: ${m.detail}`);
  }

  private scheduleDecide(): void {
    if (this.decidePending || this.stopping || !this.firstReadDone) return;
    this.decidePending = true;
    setImmediate(() => {
      this.decidePending = false;
      if (!this.stopping) this.decideNow();
    });
  }

  private decideNow(): void {
    this.reportMismatches();
    const decisions = decideAll(this.snapshot());
    const cfg = this.config.autostart;
    for (const g of this.guarded) {
      const d = decisions.get(g.name);
      if (!d) continue;
      const rec = this.record(g.name);
      // while its `xl create` runs, block-drbd promotes before xl list shows it: the start outcome decides next;
      // while a migration holds it, the migration's ending decides next
      if (this.executor.busy(g.name) || this.holds.has(g.name)) continue;
      if (rec.decision?.kind !== d.kind || reasonOf(rec.decision) !== reasonOf(d)) {
        rec.since = new Date();
        this.logDecision(g.name, d);
      }
      rec.decision = d;
      if (d.kind === 'running') this.boot.add(g.name);
      if (d.kind === 'defer') {
        if (!this.timers.has(`defer:${g.name}`)) {
          this.timers.once(`defer:${g.name}`, jitteredMs(cfg.deferRecheckSeconds * 1000, cfg.deferJitterSeconds * 1000), () => void this.fullRead());
        }
      } else this.timers.clear(`defer:${g.name}`);
      if (d.kind === 'start' && this.enabled && !this.stopping) this.maybeStart(g, rec);
    }
    for (const name of [...this.records.keys()]) if (!decisions.has(name)) this.records.delete(name);
    const line = this.statusLine();
    if (line !== this.lastStatusLine) {
      this.lastStatusLine = line;
      void this.sdNotify(false, line);
    }
  }

  private record(name: string): DomuRecord {
    let r = this.records.get(name);
    if (!r) {
      r = { decision: null, since: new Date(), attempts: 0, lastStart: null, retryAt: null };
      this.records.set(name, r);
    }
    return r;
  }

  private logDecision(name: string, d: AutostartDecision): void {
    const base = { domu: name, decision: d.kind, reason: reasonOf(d), detail: d.detail };
    if (d.kind === 'skip' && d.splitBrainHazard) this.d.log.error({ ...base, splitBrainHazard: true }, `NOT starting ${name}: ${d.detail}`);
    else if (d.kind === 'defer' && d.splitBrainSuspected) this.d.log.error({ ...base, splitBrainSuspected: true }, `deferring ${name}: ${d.detail}`);
    else if (d.kind === 'skip') this.d.log.info(base, `skipping ${name}: ${d.detail}`);
    else if (d.kind === 'defer') this.d.log.info(base, `deferring ${name}: ${d.detail}`);
    else this.d.log.info(base, `${name}: ${d.kind}: ${d.detail}`);
  }

  private maybeStart(g: GuardedEntry, rec: DomuRecord): void {
    if (this.executor.busy(g.name) || this.holds.has(g.name)) return;
    const last = rec.lastStart?.at.getTime() ?? 0;
    const due = last + retryDelayMs(rec.attempts, this.config.autostart.retryInitialSeconds * 1000, this.config.autostart.retryMaxSeconds * 1000);
    if (due > Date.now()) {
      rec.retryAt = new Date(due);
      if (!this.timers.has(`retry:${g.name}`)) this.timers.once(`retry:${g.name}`, due - Date.now(), () => this.scheduleDecide());
      return;
    }
    rec.retryAt = null;
    void this.executor.request({ name: g.name, configPath: g.configPath, forced: null });
  }

  /** The executor's re-check: xl list read again, DRBD as of now, the same pure decision. */
  private async recheck(name: string): Promise<AutostartDecision | null> {
    if (!this.toolstack) return null;
    const list = await this.toolstack.list();
    if (!list.ok) return null;
    this.domains = list.value;
    const g = this.guarded.find((x) => x.name === name);
    if (!g) return null;
    const resources = await this.drbd.freshViews(g.drbdResources);
    const snap = this.snapshot({ domains: list.value, guarded: [g], drbd: { availability: this.drbd.availability, resources } });
    return decideAll(snap).get(name) ?? null;
  }

  private async onOutcome(req: StartRequest, o: StartOutcome): Promise<void> {
    const rec = this.record(req.name);
    const forced = req.forced !== null;
    if (o.kind === 'not-started') {
      this.d.log.info({ domu: req.name, forced }, `not starting ${req.name}: ${o.message}`);
    } else if (o.kind === 'started') {
      rec.attempts = 0;
      rec.lastStart = { at: new Date(), ok: true, message: o.message, forced };
      this.boot.add(req.name);
      this.d.log.info({ domu: req.name, forced, configPath: req.configPath }, `started ${req.name}`);
    } else {
      rec.attempts++;
      rec.lastStart = { at: new Date(), ok: false, message: o.message, forced };
      const wait = retryDelayMs(rec.attempts, this.config.autostart.retryInitialSeconds * 1000, this.config.autostart.retryMaxSeconds * 1000);
      this.d.log.error({ domu: req.name, forced, attempts: rec.attempts, retryInMs: wait }, `starting ${req.name} failed: ${o.message}`);
    }
    await this.readDomains();
  }

  // ---- control ------------------------------------------------------------------------------

  async control(req: ControlRequest, conn: ControlConnection): Promise<ControlResponse> {
    const okWith = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: true, message, status: this.status() });
    const fail = (code: string, message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code, message } });
    switch (req.op) {
      case 'status':
        return okWith('');
      case 'reload':
        await this.fullRead();
        this.decideNow();
        return okWith('re-read this host and decided every guarded domU again');
      case 'stop':
        this.enabled = false;
        this.d.log.warn('guarded autostart stopped by the operator: nothing will be started until `autostart start`');
        this.decideNow();
        return okWith('guarded autostart stopped: decisions are still made and shown, nothing is started');
      case 'start':
        this.enabled = true;
        this.d.log.info('guarded autostart (re)started by the operator');
        await this.fullRead();
        this.decideNow();
        return okWith('guarded autostart running: every guarded domU decided again');
      case 'force': {
        const g = this.guarded.find((x) => x.name === req.name);
        if (!g) return fail('XH_ERR_USAGE', `${req.name} is not a guarded domU here (configs in ${this.config.guardedDir})`);
        const verdict = forceVerdict(this.records.get(req.name)?.decision ?? undefined);
        if (!verdict.allowed) return fail('XH_ERR_REFUSED', `${req.name}: ${verdict.why}`);
        const held = this.holds.all().find((h) => h.name === req.name);
        if (held) return fail('XH_ERR_LOCKED', `${req.name} is being migrated (${held.purpose}, operation ${held.operation}, by ${held.by}): not started`);
        this.d.log.warn({ domu: req.name, forced: true, operator: req.operator, reason: req.reason, decision: this.records.get(req.name)?.decision ?? null }, `operator forces the start of ${req.name}: ${req.reason}`);
        const p = this.executor.request({ name: g.name, configPath: g.configPath, forced: { reason: req.reason, operator: req.operator } });
        if (p === null) return fail('XH_ERR_REFUSED', `${req.name}: a start is already in progress`);
        const o = await p;
        if (o.kind === 'started') return okWith(`started ${req.name} (forced: ${req.reason})`);
        if (o.kind === 'failed') return fail('XH_ERR_TOOL_FAILED', `${req.name}: ${o.message}`);
        return fail('XH_ERR_REFUSED', `${req.name}: ${o.message}`);
      }
      case 'hold':
        return this.hold(req, conn);
    }
  }

  /** A migration command holds a domU until its connection closes (see DomuHolds). */
  private hold(req: Extract<ControlRequest, { op: 'hold' }>, conn: ControlConnection): ControlResponse {
    const fail = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_LOCKED', message } });
    if (this.stopping) return { v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_REFUSED', message: 'the agent is stopping' } };
    if (this.executor.busy(req.name)) return fail(`an xl create of ${req.name} by the agent is running`);
    const h = { name: req.name, purpose: req.purpose, operation: req.operation, by: req.by, since: new Date().toISOString() };
    const other = this.holds.take(h);
    if (other) return fail(`${req.name} is held by ${other.by} (${other.purpose}, operation ${other.operation}, since ${other.since})`);
    this.d.log.info({ domu: req.name, hold: req.purpose, operation: req.operation, by: req.by }, `${req.name} held for ${req.purpose} by ${req.by}: not started meanwhile`);
    conn.keepOpen(() => {
      if (!this.holds.release(h)) return;
      this.d.log.info({ domu: req.name, hold: req.purpose, operation: req.operation }, `${req.name} released by ${req.by}: reading the host again`);
      if (!this.stopping) void this.fullRead();
    });
    return { v: CONTROL_PROTOCOL_VERSION, ok: true, message: `${req.name} held for ${req.purpose} (operation ${req.operation}) until this connection closes`, status: this.status() };
  }

  status(): AgentStatus {
    const drbdWord = this.drbd.availability;
    return {
      host: this.host,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      autostart: this.enabled ? 'enabled' : 'stopped',
      maintenance: this.maintenance,
      toolstack: this.toolstack?.kind ?? null,
      sources: { drbd: this.drbd.describe(), domains: this.domainSource.describe() },
      drbd: drbdWord,
      lastFullRead: this.lastFullRead?.toISOString() ?? null,
      guarded: this.guarded.filter((g, i, all) => all.findIndex((x) => x.name === g.name) === i).map((g) => guardedStatus(g, this.records.get(g.name), this.executor.busy(g.name))),
      holds: this.holds.all(),
      warnings: [...this.warnings],
    };
  }

  private statusLine(): string {
    return statusLine(this.status());
  }

  private async sdNotify(ready: boolean, status: string): Promise<void> {
    if (!this.d.notify) return;
    const problem = await this.d.notify({ ready, status });
    if (problem) this.d.log.warn(problem);
  }
}
