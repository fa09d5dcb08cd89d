import type { JobEnd } from '../../shared/protocol/ctl-jobs.js';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import type { CommandRequest } from '../../shared/protocol/ctl-api.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import type { FaultFleet } from './fault-fleet.js';
import type { Step } from './steps.js';

/** What happened, in order, for a failing seed's report: steps, outcomes, checks. */
export type Trace = string[];

/**
 * The fleet a fault run plays on: the simulator, an agent core per powered-on Dom0, and a
 * controller core, all on one deterministic clock, plus what the run must know beyond the
 * simulator's state: which agents and the controller are alive, and which starts an operator forced.
 */
export class FaultWorld {
  readonly agentsUp = new Set<string>();
  controllerUp = true;
  /** domU → until when (simulated ms) a forced start of it counts as the operator's */
  readonly forced = new Map<string, number>();
  readonly jobs: Promise<JobEnd | null>[] = [];
  /** domUs whose migration ended ambiguously and was raised as an ALARM: left for a person */
  readonly alarmed = new Set<string>();
  /** the logs of every agent core started, crashed ones included */
  private readonly agentLogs: (readonly Record<string, unknown>[])[] = [];
  private readonly t0: number;
  private constructor(
    readonly fleet: Fleet,
    readonly def: FaultFleet,
    readonly trace: Trace,
  ) {
    this.t0 = fleet.sim.clock.now();
  }

  /** every agent reports to the controller and is reachable there */
  allReporting(): boolean {
    const ctl = this.fleet.controller;
    if (!ctl || !this.controllerUp) return false;
    const hosts = ctl.core.hosts().hosts;
    return this.def.hosts.every((h) => hosts.some((x) => x.host === h && x.reachable));
  }

  static async start(def: FaultFleet, trace: Trace, o: { readonly traceTools?: boolean; readonly dir?: string } = {}): Promise<FaultWorld> {
    const fleet = await startFleet(def.text, { controller: { jobs: { quietMs: 1_000, retryDelayMs: 2_000, coldStartRetryMs: 2_000 } }, ...(o.dir ? { dir: o.dir } : {}) });
    const w = new FaultWorld(fleet, def, trace);
    if (o.traceTools) {
      const start = fleet.sim.start.bind(fleet.sim);
      fleet.sim.start = (host, tool, argv, output) => {
        if (!(tool === 'xl' && argv[0] === 'list') && !(tool === 'drbdadm' && argv[0] === 'status') && tool !== 'xenstore-write') w.log(`    [${host}] ${tool} ${argv.join(' ')}`);
        return start(host, tool, argv, output);
      };
      let last = '';
      let logged = 0;
      const watch = (): void => {
        const now = fleet.sim.state().domains.map((d) => `${d.name}@${d.host}`).sort().join(' ');
        if (now !== last) w.log(`    placement: ${now}`);
        last = now;
        // what an operator's `status` showed: each alert the controller raised or cleared
        const logs = fleet.controller?.logs ?? [];
        for (; logged < logs.length; logged++) {
          const l = logs[logged];
          if (l?.['event'] === 'alert-raised' || l?.['event'] === 'alert-cleared') w.log(`    controller: ${l.msg.slice(0, 200)}`);
        }
        fleet.sim.clock.schedule(100, watch);
      };
      watch();
    }
    for (const h of def.hosts) w.startAgent(h);
    return w;
  }

  get now(): number {
    return this.fleet.sim.clock.now();
  }

  log(line: string): void {
    this.trace.push(`${((this.now - this.t0) / 1000).toFixed(1).padStart(7)} s  ${line}`);
  }


  startAgent(host: string): void {
    if (this.fleet.sim.state().hosts[host]?.power !== 'on') return;
    this.agentLogs.push(this.fleet.startAgent(host).logs);
    this.agentsUp.add(host);
  }

  /** every domU an ALARM was raised for: by a command's or a job's result, or in an agent's log (the result may not have reached a controller that crashed) */
  alarms(): Set<string> {
    const out = new Set(this.alarmed);
    for (const logs of this.agentLogs) for (const l of logs) if (l['code'] === 'XH_ERR_MIGRATION_UNKNOWN' && typeof l['domu'] === 'string') out.add(l['domu']);
    return out;
  }

  /** An operator command through the controller; its outcome goes into the trace when it comes. */
  command(req: CommandRequest): void {
    if (!this.controllerUp) return this.log(`  ${req.op} ${req.name}: the controller is down`);
    const r = this.fleet.controller?.core.command(req, { name: 'chaos' }, {
      progress: () => undefined,
      done: (o) => {
        if (o.code === 'XH_ERR_MIGRATION_UNKNOWN') this.alarmed.add(req.name);
        this.log(`  ${req.op} ${req.name}: ${o.ok ? 'ok' : o.code}: ${o.message.slice(0, 160)}`);
      },
    });
    if (r && !r.ok) this.log(`  ${req.op} ${req.name}: not sent: ${r.error.code}: ${r.error.message.slice(0, 160)}`);
  }

  job(req: JobRequest): Promise<JobEnd | null> {
    const ctl = this.fleet.controller;
    if (!this.controllerUp || !ctl) {
      this.log(`  ${req.kind}: the controller is down`);
      return Promise.resolve(null);
    }
    let resolve: (e: JobEnd | null) => void = () => undefined;
    const done = new Promise<JobEnd | null>((r) => (resolve = r));
    const r = ctl.core.hub.start(req, 'chaos', (e) => {
      if (e.type === 'move' && e.phase === 'alarm') {
        this.alarmed.add(e.name);
        this.log(`  ${req.kind}: ALARM ${e.name} (${e.from} → ${e.to})`);
      }
      if (e.type === 'end') {
        this.log(`  ${req.kind}: ${e.ok ? 'ok' : e.code}: ${e.message.slice(0, 200)}`);
        resolve(e);
      }
    });
    if (!r.ok) {
      this.log(`  ${req.kind}: refused: ${r.error.code}: ${r.error.message.slice(0, 200)}`);
      resolve(null);
    }
    this.jobs.push(done);
    return done;
  }

  /** One step, as the operator or the fault would do it; nothing waits here. */
  apply(s: Step): void {
    const { sim } = this.fleet;
    const ctl = this.fleet.controller;
    const on = (h: string): boolean => sim.state().hosts[h]?.power === 'on';
    switch (s.kind) {
      case 'migrate': {
        const d = this.def.domus.find((x) => x.name === s.name);
        const at = sim.state().domains.find((x) => x.name === s.name)?.host ?? d?.home;
        return this.command({ op: 'migrate', name: s.name, target: d ? (at === d.home ? d.peer : d.home) : null });
      }
      case 'reverse':
        return this.command({ op: 'reverse', name: s.name });
      case 'drain':
        void this.job({ kind: 'drain', host: s.host, maxParallel: null, coldFallback: s.coldFallback, allowPartial: true, timeoutMs: 600_000 });
        return;
      case 'restore':
        void this.job({ kind: 'restore', host: s.host, timeoutMs: 600_000 });
        return;
      case 'rebalance':
        void this.job({ kind: 'rebalance', maxMoves: 3, timeoutMs: 600_000 });
        return;
      case 'force-start': {
        // an operator forces a start only after checking the domU runs nowhere
        const d = this.def.domus.find((x) => x.name === s.name);
        if (!d || sim.state().domains.some((x) => x.name === s.name || x.name.startsWith(`${s.name}--`)) || !this.agentsUp.has(d.home)) return;
        this.forced.set(s.name, this.now + 60_000);
        void this.fleet.agent(d.home).control({ op: 'force', name: s.name, reason: 'checked: runs nowhere', operator: 'chaos' }).then((r) => this.log(`  force ${s.name}: ${r.ok ? 'ok' : r.error.code}`));
        return;
      }
      case 'power-off':
        this.agentsUp.delete(s.host);
        this.fleet.powerOff(s.host);
        return;
      case 'power-on': {
        const host = on(s.host) ? this.def.hosts.find((h) => !on(h)) : s.host;
        if (!host) return;
        sim.power(host, 'on');
        this.startAgent(host);
        return;
      }
      case 'agent-crash':
        if (!this.agentsUp.has(s.host)) return;
        this.agentsUp.delete(s.host);
        this.fleet.crash(s.host);
        return;
      case 'agent-restart': {
        const host = this.agentsUp.has(s.host) || !on(s.host) ? this.def.hosts.find((h) => on(h) && !this.agentsUp.has(h)) : s.host;
        if (host) this.startAgent(host);
        return;
      }
      case 'controller-crash':
        this.controllerUp = false;
        ctl?.crash();
        return;
      case 'controller-restart':
        this.controllerUp = true;
        ctl?.restart();
        return;
      case 'link-cut':
        ctl?.cut(s.host);
        return;
      case 'drbd-disconnect':
        sim.drbd(s.resource, 'disconnect');
        return;
      case 'drbd-connect': {
        const res = sim.state().drbd;
        const r = res[s.resource]?.link === 'connected' ? Object.values(res).find((x) => x.link !== 'connected')?.name : s.resource;
        if (r) sim.drbd(r, 'connect');
        return;
      }
      case 'split-brain':
        sim.drbd(s.resource, 'split-brain');
        return;
      case 'migration-fault':
        sim.migrationFault(s.name, s.phase);
        return;
      case 'tool-fault': {
        const fault = s.fault === 'hang' ? { kind: 'hang' as const } : s.fault === 'slow' ? { kind: 'slow' as const, ms: 20_000 } : { kind: 'garbage' as const, text: '\u0000\u001b[31mnot what you expected\n', exitCode: 1 };
        sim.toolFault(s.host, s.tool, fault, { times: 3 });
        return;
      }
      case 'clear-tool-faults':
        sim.clearToolFaults();
        return;
    }
  }
}
