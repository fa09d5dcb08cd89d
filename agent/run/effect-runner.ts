import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import { createToolstack } from '../adapters/toolstack.js';
import { xenRelease } from '../parse/xl-info.js';
import type { Effect } from '../core/effects.js';
import type { AgentEvent, NamesReadAnswer, StartTimeAnswer } from '../core/events.js';
import { checkCoexistence } from '../host/host-read.js';
import type { AgentPorts } from './ports.js';
import { drbdAdapterFor, listDomains, pollDrbd, procDrbdPresent, readHost } from './read-host.js';
import { writeMaintenanceFlag } from '../host/maintenance-flag.js';
import { inspectDomu } from '../migrate/inspect-read.js';
import { WatcherChildren } from './watchers.js';
import { renameWatchPaths } from '../core/rename-watch.js';
import { LinkRunner } from './link-runner.js';
import { createXenstore } from '../adapters/xenstore.js';
import { writeInBatches } from '../adapters/xenstore-write-batches.js';
import { readNamesBack } from './names-read.js';
import { startTimeAnswers } from './start-time-read.js';
import { Slots } from './slots.js';
import { runClaim, runRelease } from './drbd-claim.js';
import { runCreate } from './start-create.js';
import { ledgerStore } from '../adapters/ledger-store.js';
import { without, type Ledger } from '../state/ledger.js';
import { LEDGER_WRITE, StateDiskReads } from './state-disk-reads.js';
import { ToolRuns } from './tool-runs.js';

/**
 * Runs the reducer's effects: the only place the agent's logic touches tools, files, timers and
 * sockets. Whatever an effect learns comes back through `post` as an event.
 */
export interface ReplyChannel {
  resolve(response: ControlResponse): void;
  /** a granted hold: keep the connection; closed runs once the client goes away */
  keepOpen(closed: () => void): void;
}

export class EffectRunner {
  private readonly timers = new Map<string, () => void>();
  private readonly xenstoreSlots = new Slots(4);
  readonly watchers: WatcherChildren;
  private readonly link: LinkRunner;
  private readonly stateDisks: StateDiskReads;
  private stoppedWaiters: (() => void)[] = [];
  private isStopped = false;
  readonly toolRuns: ToolRuns;
  /** the ports whose tool runner reads (ended at the stop), and a change's: a start's claim, create and release (tool-runs.ts) */
  private readonly reading: AgentPorts;
  readonly changing: AgentPorts;

  constructor(
    private readonly ports: AgentPorts,
    private readonly post: (ev: AgentEvent) => void,
    private readonly replies: Map<number, ReplyChannel>,
    private readonly onReady: () => void,
  ) {
    this.toolRuns = new ToolRuns(ports.run, ports.log);
    this.reading = { ...ports, run: this.toolRuns.read };
    this.changing = { ...ports, run: this.toolRuns.change };
    this.watchers = new WatcherChildren(ports, post);
    this.link = new LinkRunner(ports, post);
    this.stateDisks = new StateDiskReads(ports, post);
  }

  /** resolves once the reducer said `stopped` and every watcher child and read is gone: nothing of the agent's outlives it */
  whenStopped(): Promise<void> {
    if (this.isStopped) return Promise.resolve();
    return new Promise((r) => this.stoppedWaiters.push(r));
  }

  /** the process is gone: no timer fires, no watcher runs (see AgentCore.abandon) */
  abandon(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    void this.watchers.stopAll();
  }

  run(e: Effect): void {
    const p = this.ports;
    switch (e.e) {
      case 'log':
        p.log[e.level](e.fields, e.msg);
        return;
      case 'set-log-level':
        p.log.level = e.level;
        return;
      case 'timer': {
        this.timers.get(e.name)?.();
        const cancel = p.clock.schedule(e.ms, () => {
          if (this.timers.get(e.name) !== cancel) return;
          this.timers.delete(e.name);
          this.post({ t: 'timer', name: e.name });
        });
        this.timers.set(e.name, cancel);
        return;
      }
      case 'cancel-timer':
        this.timers.get(e.name)?.();
        this.timers.delete(e.name);
        return;
      case 'read-full':
        this.guard(readHost(this.reading, e).then((read) => this.post({ t: 'full-read', read })), (m) => this.post({ t: 'read-failed', read: 'full', message: m }));
        return;
      case 'read-info':
        this.guard(
          createToolstack(e.toolstack, { run: this.reading.run })
            .info()
            .then((r) => this.post(r.ok ? { t: 'info-read', host: r.value.host ?? null, memory: { totalMiB: r.value.totalMemoryMiB, freeMiB: r.value.freeMemoryMiB }, xen: xenRelease(r.value), problem: null } : { t: 'info-read', host: null, memory: null, xen: null, problem: r.error.message })),
          (m) => this.post({ t: 'info-read', host: null, memory: null, xen: null, problem: m }),
        );
        return;
      case 'save-host-name':
        p.saveHostName(e.host);
        return;
      case 'probe-drbd':
        try {
          const found = procDrbdPresent(p);
          this.post({ t: 'drbd-probed', version: found?.version ?? null, loaded: found !== null });
        } catch {
          // only a head start: the full read reads DRBD's presence again and decides
          this.post({ t: 'drbd-probed', version: null, loaded: false });
        }
        return;
      case 'read-domains': {
        const startedAt = p.clock.now();
        this.guard(listDomains(this.reading, e.toolstack).then((read) => this.post({ t: 'domains-read', read, tookMs: p.clock.now() - startedAt })), (m) => this.post({ t: 'read-failed', read: 'list', message: m }));
        return;
      }
      case 'watch':
        this.watchers.start(e.watcher, e.gen);
        return;
      case 'watch-renames':
        this.watchers.start('renames', e.gen, renameWatchPaths(e.domids));
        return;
      case 'unwatch':
        this.watchers.stop(e.watcher, e.gen);
        return;
      case 'poll-drbd':
        this.guard(pollDrbd(this.reading, e.names).then((r) => this.post({ t: 'drbd-polled', views: r.views, problems: r.problems })), (m) => p.log.error({ code: 'XH_ERR_INTERNAL' }, `polling DRBD failed: ${m}`));
        return;
      case 'recheck':
        // answered without a tool run: posted, so the reducer handles it as the next event
        if (e.current) return this.post({ t: 'rechecked', name: e.name, domains: 'current', polled: null });
        this.guard(
          (async () => {
            const domains = await listDomains(this.reading, e.toolstack);
            const polled = e.pollNames === null ? null : (await pollDrbd(this.reading, e.pollNames)).views;
            this.post({ t: 'rechecked', name: e.name, domains, polled });
          })(),
          (m) => this.post({ t: 'rechecked', name: e.name, domains: { ok: false, code: 'XH_ERR_INTERNAL', message: m }, polled: null }),
        );
        return;
      case 'claim':
        this.guard(runClaim(this.changing, e).then((ev) => this.post(ev)), (m) => this.post({ t: 'claimed', name: e.name, promoted: [], views: new Map(), problem: m }));
        return;
      case 'release':
        this.guard(runRelease(this.changing, e).then((problems) => this.post({ t: 'released', name: e.name, problems })), (m) => this.post({ t: 'released', name: e.name, problems: [m] }));
        return;
      case 'create':
        this.guard(runCreate(this.changing, e).then((ev) => this.post(ev)), (m) => this.post({ t: 'created', name: e.name, ok: false, message: m }));
        return;
      case 'reply': {
        const ch = this.replies.get(e.id);
        if (!ch) return;
        this.replies.delete(e.id);
        if (e.keepOpen) ch.keepOpen(() => this.post({ t: 'conn-closed', conn: e.id }));
        ch.resolve(e.response);
        return;
      }
      case 'notify':
        if (e.ready) this.onReady();
        if (p.notify) void p.notify({ ready: e.ready, status: e.status }).then((problem) => problem && p.log.warn(problem));
        return;
      case 'save-boot-record':
        try {
          p.saveBootRecord(e.names);
        } catch (err) {
          p.log.warn({ err: String(err) }, 'cannot record the domUs handled since boot');
          this.stateDisks.read({ role: 'runtime', what: 'the autostart boot record' });
        }
        return;
      case 'read-state-disks':
        this.stateDisks.read(e.after);
        return;
      case 'read-coexistence':
        // no toolstack answered yet: the warnings still matter, so the auto dir's syntax is guessed
        this.guard(checkCoexistence(p.files, e.guarded, e.toolstack ?? 'auto').then((warnings) => this.post({ t: 'coexistence', warnings })), (m) => p.log.warn(`coexistence check failed: ${m}`));
        return;
      case 'link-connect':
        this.link.connect(e.gen, e.url);
        return;
      case 'link-probe-primary':
        this.link.probePrimary(e.gen);
        return;
      case 'link-send':
        this.link.send(e.gen, e.message);
        return;
      case 'link-close':
        this.link.close(e.gen, e.code, e.reason);
        return;
      case 'run-command': {
        const id = e.command.commandId;
        this.guard(
          p.runCommand(e.command, (line) => this.post({ t: 'command-progress', commandId: id, line })).then((outcome) => this.post({ t: 'command-done', commandId: id, outcome })),
          (m) => this.post({ t: 'command-done', commandId: id, outcome: { ok: false, code: 'XH_ERR_INTERNAL', message: m, detail: null } }),
        );
        return;
      }
      case 'end-away': {
        const store = ledgerStore(p.stateDirReal, e.host);
        this.guard(
          store.update((l) => (l.away[e.name]?.currentHost === e.currentHost ? without(l, e.name) : null)).then((w) => this.post({ t: 'away-ended', name: e.name, problem: w.ok ? null : this.stateDisks.failed(w.error.message, LEDGER_WRITE) })),
          (m) => this.post({ t: 'away-ended', name: e.name, problem: m }),
        );
        return;
      }
      case 'end-visitor': {
        const store = ledgerStore(p.stateDirReal, e.host);
        const same = (l: Ledger): boolean => Object.hasOwn(l.visitors, e.name) && l.visitors[e.name]?.home === e.home && l.visitors[e.name]?.operationId === e.operationId;
        this.guard(
          store.update((l) => (same(l) ? without(l, e.name) : null)).then((w) => this.post({ t: 'visitor-ended', name: e.name, problem: w.ok ? null : this.stateDisks.failed(w.error.message, LEDGER_WRITE) })),
          (m) => this.post({ t: 'visitor-ended', name: e.name, problem: m }),
        );
        return;
      }
      case 'write-maintenance': {
        const w = writeMaintenanceFlag(p.stateDirReal, e.flag, e.since);
        // posted, not answered inline: the reducer handles it as the next event, like every result
        this.post({ t: 'maintenance-written', problem: w.ok ? null : this.stateDisks.failed(w.error.message, { role: 'state', what: 'the maintenance flag' }) });
        return;
      }
      case 'inspect':
        this.guard(this.inspect(e), (m) => this.post({ t: 'inspected', commandId: e.commandId, read: { ok: false, code: 'XH_ERR_INTERNAL', message: m } }));
        return;
      case 'xenstore-write': {
        const xs = createXenstore({ run: this.reading.run, spawn: p.spawn });
        const written = (failed: { group: (typeof e.domus)[number]; problem: string }[]): void => {
          const named = e.domus.filter((d) => !failed.some((f) => f.group === d)).map((d) => ({ domid: d.domid, name: d.name }));
          this.post({ t: 'xenstore-written', named, failed: failed.map((f) => ({ domid: f.group.domid, name: f.group.name, problem: f.problem })) });
        };
        this.guard(
          this.xenstoreSlots.run(async () => written(await writeInBatches(xs.writeAll, e.domus))),
          (m) => written(e.domus.map((group) => ({ group, problem: m }))),
        );
        return;
      }
      case 'xenstore-read-names': {
        const xs = createXenstore({ run: this.reading.run, spawn: p.spawn });
        const answer = (read: NamesReadAnswer): void => this.post({ t: 'xenstore-names-read', domus: e.domus, read });
        this.guard(this.xenstoreSlots.run(async () => answer(await readNamesBack(xs, e.domus))), (m) => answer({ ok: false, problem: m }));
        return;
      }
      case 'read-start-times': {
        const xs = createXenstore({ run: this.reading.run, spawn: p.spawn });
        const answer = (reads: StartTimeAnswer[]): void => this.post({ t: 'start-times-read', reads });
        this.guard(this.xenstoreSlots.run(async () => answer(await startTimeAnswers(xs, e.domains))), (m) => answer(e.domains.map((d) => ({ ...d, value: null, problem: m }))));
        return;
      }
      case 'watchdog':
        if (p.notify) void p.notify({ watchdog: true }).then((problem) => problem && p.log.warn(problem));
        return;
      case 'stopped':
        for (const cancel of this.timers.values()) cancel();
        this.timers.clear();
        void Promise.all([this.watchers.stopAll(), this.toolRuns.stop()]).then(() => {
          this.isStopped = true;
          for (const w of this.stoppedWaiters.splice(0)) w();
        });
        return;
    }
  }

  /** fresh reads of one domU for the controller's `inspect` */
  private async inspect(e: Extract<Effect, { e: 'inspect' }>): Promise<void> {
    const p = this.ports;
    const deps = { files: p.files, config: e.config, host: e.host, toolstack: createToolstack(e.toolstack, { run: this.reading.run }), drbd: e.readDrbd ? drbdAdapterFor(this.reading) : null };
    const r = await inspectDomu(deps, e.name, e.resources);
    this.post({ t: 'inspected', commandId: e.commandId, read: r.ok ? { ok: true, rows: r.value.rows, resources: r.value.resources } : { ok: false, code: r.error.code, message: r.error.message } });
  }

  private guard(p: Promise<void>, onError: (message: string) => void): void {
    p.catch((err: unknown) => onError(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  }
}
