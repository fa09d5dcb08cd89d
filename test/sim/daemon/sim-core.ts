import { xenstoredDownOutput, xenstoredDropOutput } from '../tools/xenstored-down.js';
import { checkInvariants } from '../invariants.js';
import type { HostDrbdView } from '../model/drbd-view.js';
import type { MigrationFaultPhase, SimState, StateDiskFault } from '../model/types.js';
import { cutLink, restoreLink, splitBrain } from '../ops/drbd.js';
import { detachDisk, settleDetached } from '../ops/drbd-disk.js';
import { tryConnect } from '../ops/drbd-connect.js';
import { abortForPower } from '../ops/migrate.js';
import { powerOff, powerOn } from '../ops/power.js';
import { fail, ok, type OpResult } from '../ops/result.js';
import type { ToolCtx } from '../tools/context.js';
import { TOOLS } from '../tools/index.js';
import type { SimClock } from './clock.js';
import { FaultBook, type ToolFault } from './faults.js';
import { hostPath, listHostDir, readHostFile, syncProcDrbd } from './host-fs.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';

export interface CommandLogEntry {
  readonly seq: number;
  /** simulated time the command started */
  readonly at: number;
  readonly host: string;
  readonly tool: string;
  readonly argv: readonly string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface ToolIO {
  out(text: string): void;
  err(text: string): void;
  /** resolves when the caller goes away */
  readonly closed: Promise<void>;
}

export interface Violation { readonly at: number; readonly label: string; readonly problems: readonly string[] }

type Listener = (before: SimState, after: SimState) => void;

/** how long a disk that failed stays Failed before DRBD has it Diskless (a real one: from a blink to a failing disk's retries) */
export const FAILED_DISK_MS = 1000;

/**
 * The one place the cluster state lives. Every change goes through commit(): the pure operation
 * runs, the invariant checker runs, /proc/drbd files follow, watchers (events2, xenstore-watch)
 * hear about it. JavaScript's single thread serializes commits.
 */
export class SimCore {
  private s: SimState;
  private listeners = new Set<Listener>();
  private pendingConnect = new Set<string>();
  private closers = new Set<() => void>();
  private nextPid = 4200;
  /** each host's view its /proc/drbd was last written from (syncProcDrbd) */
  private readonly procDrbd = new Map<string, HostDrbdView | null>();
  private lastChecked: (Pick<SimState, 'domains' | 'drbd' | 'migrations' | 'hosts'> & { readonly problems: string[] }) | null = null;
  readonly log: CommandLogEntry[] = [];
  readonly violations: Violation[] = [];
  readonly faults = new FaultBook();

  /** per host: the kernel's boot id, new at every power-on (/proc/sys/kernel/random/boot_id) */
  private readonly bootIds = new Map<string, string>();

  constructor(initial: SimState, readonly clock: SimClock, readonly simDir: string) {
    this.s = { ...initial, now: clock.now() };
    for (const h of Object.keys(initial.hosts)) this.newBoot(h);
    this.scheduleConnects();
  }

  bootId(host: string): string {
    return this.bootIds.get(host) ?? 'no-such-host';
  }

  private newBoot(host: string): void {
    const id = randomUUID();
    this.bootIds.set(host, id);
    const file = hostPath(this.simDir, host, '/proc/sys/kernel/random/boot_id');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${id}\n`);
  }

  state(): SimState {
    return { ...this.s, now: this.clock.now() };
  }

  commit(label: string, op: (s: SimState) => OpResult | SimState): OpResult {
    const before = this.state();
    const res = op(before);
    const r: OpResult = 'ok' in res && typeof res.ok === 'boolean' ? (res as OpResult) : ok(res as SimState);
    if (!r.ok) return r;
    this.s = r.state;
    const problems = this.invariants(this.s);
    if (problems.length) this.violations.push({ at: this.clock.now(), label, problems });
    syncProcDrbd(this.simDir, this.s, this.procDrbd);
    this.scheduleConnects();
    for (const l of [...this.listeners]) l(before, this.state());
    return r;
  }

  /**
   * The invariants read the domains, resources, migrations and hosts alone: a commit that made
   * none of them anew (a xenstore write) has the problems of the one before, found again without
   * the scans of every domain and resource a fleet of hundreds of Dom0s paid on each such commit.
   */
  private invariants(s: SimState): string[] {
    const last = this.lastChecked;
    if (last && last.domains === s.domains && last.drbd === s.drbd && last.migrations === s.migrations && last.hosts === s.hosts) return [...last.problems];
    const problems = checkInvariants(s);
    this.lastChecked = { domains: s.domains, drbd: s.drbd, migrations: s.migrations, hosts: s.hosts, problems };
    return problems;
  }

  /** Test-only: replace state without going through an operation (e.g. to force a broken state). */
  force(label: string, f: (s: SimState) => SimState): void {
    this.commit(label, f);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private scheduleConnects(): void {
    for (const r of Object.values(this.s.drbd)) {
      // a StandAlone end does not try: its timer would find nothing to do, and set itself again
      if (r.link !== 'connecting' || r.standalone.length || this.pendingConnect.has(r.name)) continue;
      if (!r.nodes.every((n) => r.replicas[n])) continue;
      this.pendingConnect.add(r.name);
      this.clock.schedule(this.s.connectDelayMs, () => {
        this.pendingConnect.delete(r.name);
        this.commit(`drbd ${r.name} connected`, (s) => tryConnect(s, r.name));
      });
    }
  }

  // ---- faults -------------------------------------------------------------------------------
  power(host: string, on: boolean): OpResult {
    if (on) {
      if (this.s.hosts[host]?.power === 'off') this.newBoot(host);
      return this.commit(`power ${host} on`, (s) => powerOn(s, host));
    }
    // /run is a tmpfs on a real Dom0: a reboot empties it
    rmSync(hostPath(this.simDir, host, '/run'), { recursive: true, force: true });
    return this.commit(`power ${host} off`, (s) => {
      const r = powerOff(s, host);
      if (!r.ok) return r;
      let next = r.state;
      for (const m of s.migrations) if (m.from === host || m.to === host) next = abortForPower(next, m.id);
      return ok(next);
    });
  }

  drbd(res: string, action: 'disconnect' | 'connect' | 'split-brain'): OpResult {
    const f = action === 'disconnect' ? cutLink : action === 'connect' ? restoreLink : splitBrain;
    return this.commit(`drbd ${res} ${action}`, (s) => f(s, res));
  }

  /**
   * The backing disk of RES on HOST fails under DRBD, which detaches it (`on-io-error detach`):
   * Failed at once, Diskless FAILED_DISK_MS later, the time its requests in flight take to end in
   * errors before the disk's last reference is given back.
   */
  diskFail(host: string, res: string): OpResult {
    const r = this.commit(`disk ${host} ${res} fail`, (s) => detachDisk(s, res, host, true));
    if (r.ok) this.clock.schedule(FAILED_DISK_MS, () => void this.commit(`disk ${host} ${res} diskless`, (s) => settleDetached(s, res, host)));
    return r;
  }

  migrationFault(domain: string, phase: MigrationFaultPhase | null): void {
    this.faults.setMigration(domain, phase);
  }

  /** xenstored on HOST stops (killed, crashed) or starts again: a tool opening xenstore after it fails as on a real Dom0 (tools/xenstored-down.ts) */
  xenstored(host: string, running: boolean): OpResult {
    return this.commit(`xenstored ${host} ${running ? 'start' : 'stop'}`, (s) => {
      const h = s.hosts[host];
      if (!h) return fail({ kind: 'no-host', host });
      const { xenstored: _was, ...rest } = h;
      return ok({ ...s, hosts: { ...s.hosts, [host]: running ? rest : { ...rest, xenstored: 'stopped' } } });
    });
  }

  /** the filesystem under HOST's agent state fills up, goes read-only, or has room again (null) */
  stateDisk(host: string, fault: StateDiskFault | null): OpResult {
    return this.commit(`disk ${host} ${fault ?? 'ok'}`, (s) => {
      const h = s.hosts[host];
      if (!h) return fail({ kind: 'no-host', host });
      const { stateDisk: _was, ...rest } = h;
      return ok({ ...s, hosts: { ...s.hosts, [host]: fault === null ? rest : { ...rest, stateDisk: fault } } });
    });
  }

  // ---- tools --------------------------------------------------------------------------------
  async run(host: string, tool: string, argv: readonly string[], io: ToolIO): Promise<number> {
    const entry: CommandLogEntry = { seq: this.log.length + 1, at: this.clock.now(), host, tool, argv: [...argv], exitCode: null, stdout: '', stderr: '' };
    this.log.push(entry);
    const out = (t: string): void => { entry.stdout += t; io.out(t); };
    const err = (t: string): void => { entry.stderr += t; io.err(t); };
    const finish = (code: number): number => ((entry.exitCode = code), code);
    const h = this.s.hosts[host];
    const handler = TOOLS[tool];
    if (!h || !handler) return err(`${tool}: unknown simulated host or tool (${host})\n`), finish(127);
    if (h.power !== 'on') return err(`ssh: connect to host ${host} port 22: No route to host\n`), finish(255);
    const noStore = xenstoredDownOutput(h, tool);
    if (noStore !== null) return err(noStore.stderr), finish(noStore.code);
    let closeAll: () => void = () => {};
    const closed = Promise.race([io.closed, new Promise<void>((r) => { closeAll = r; this.closers.add(r); })]);
    const fault: ToolFault | null = this.faults.takeTool(host, tool, argv);
    if (fault?.kind === 'hang') {
      await closed;
      this.closers.delete(closeAll);
      return finish(137);
    }
    if (fault?.kind === 'garbage') {
      out(fault.text);
      return finish(fault.exitCode ?? 0);
    }
    if (fault?.kind === 'xenstored-drop') return err(xenstoredDropOutput(tool, argv, fault.afterPairs)), finish(1);
    if (fault?.kind === 'slow') await this.clock.sleep(fault.ms);
    if (fault?.kind === 'gated') await fault.open;
    const ctx: ToolCtx = {
      host,
      out,
      err,
      state: () => this.state(),
      apply: (label, op) => this.commit(`${host}: ${tool} ${argv.join(' ')} (${label})`, op),
      readHostFile: (p) => readHostFile(this.simDir, host, p),
      listHostDir: (p) => listHostDir(this.simDir, host, p),
      sleep: (ms) => this.clock.sleep(ms),
      subscribe: (l) => this.subscribe(l),
      closed,
      takeMigrationFault: (d) => this.faults.takeMigration(d),
      scheduleConnect: () => this.scheduleConnects(),
      pid: () => this.nextPid++,
    };
    try {
      return finish(await handler(ctx, argv));
    } catch (e) {
      err(`simulator bug in ${tool}: ${(e as Error).stack ?? String(e)}\n`);
      return finish(70);
    } finally {
      this.closers.delete(closeAll);
    }
  }

  /** End every streaming tool (events2, xenstore-watch, hung tools). */
  closeStreams(): void {
    for (const c of [...this.closers]) c();
    this.closers.clear();
  }
}
