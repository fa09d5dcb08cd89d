import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subjectName } from '../../controller/fleet/finding.js';
import type { Sim } from '../sim/sim.js';
import type { FaultWorld } from './fault-world.js';

/** How long the controller may still name a host that no longer runs a domU without calling it stale. */
export const CONTROLLER_LAG_MS = 5_000;

/**
 * The promises a fault run checks, while it runs (`during`) and once it has healed (`atEnd`). Each
 * returns the violations it finds, as sentences.
 */
export class Invariants {
  private seenSimViolations = 0;
  /** domU@host → the last simulated time the simulator had it there */
  private readonly lastOn = new Map<string, number>();
  private readonly startViolations: string[] = [];

  constructor(private readonly w: FaultWorld) {
    this.watchStarts(w.fleet.sim);
  }

  /**
   * Every `xl create` of a guarded domU is judged at the moment it is run: no peer of its disks
   * Primary, ever; no peer Unknown (not connected) unless an operator forced this start.
   */
  private watchStarts(sim: Sim): void {
    const start = sim.start.bind(sim);
    sim.start = (host, tool, argv, output) => {
      if (tool === 'xl' && argv[0] === 'create' && argv[1]) this.judgeStart(host, argv[1]);
      return start(host, tool, argv, output);
    };
  }

  private judgeStart(host: string, configPath: string): void {
    const name = configPath.split('/').pop()?.replace(/\.cfg$/, '') ?? '';
    const d = this.w.def.domus.find((x) => x.name === name);
    if (!d) return;
    const s = this.w.fleet.sim.state();
    const res = s.drbd[d.resource];
    if (!res) return;
    const peer = res.nodes.find((n) => n !== host);
    const peerRole = peer ? res.replicas[peer]?.role : undefined;
    const forced = (this.w.forced.get(name) ?? 0) >= this.w.now;
    if (peerRole === 'Primary') this.startViolations.push(`${name} was started on ${host} while its disk ${d.resource} was Primary on ${peer ?? '?'}`);
    else if (res.link !== 'connected' && !forced) this.startViolations.push(`${name} was started on ${host} while its disk ${d.resource} was not connected (peer Unknown) and nobody forced it`);
  }

  /** Checked after every step and every simulated second of waiting. */
  during(): string[] {
    const sim = this.w.fleet.sim;
    const out = [...this.startViolations.splice(0)];
    const v = sim.violations;
    for (const x of v.slice(this.seenSimViolations)) out.push(`simulator: ${JSON.stringify(x)}`);
    this.seenSimViolations = v.length;
    const now = this.w.now;
    for (const d of sim.state().domains) this.lastOn.set(`${d.name.replace(/--(incoming|migratedaway)$/, '')}@${d.host}`, now);
    out.push(...this.controllerTruth(now));
    return out;
  }

  /** What the controller says runs where is true, or marked stale (within the time a report takes). */
  private controllerTruth(now: number): string[] {
    const ctl = this.w.fleet.controller;
    if (!ctl || !this.w.controllerUp) return [];
    const out: string[] = [];
    for (const d of this.w.def.domus) {
      const r = ctl.core.where(d.name);
      if (!r.ok) continue;
      for (const m of r.value.matches) {
        for (const p of m.places) {
          if (!p.reachable) continue;
          const last = this.lastOn.get(`${d.name}@${p.host}`);
          if (last === undefined || now - last > CONTROLLER_LAG_MS) out.push(`the controller says ${d.name} runs on ${p.host} (not stale), but it has not for ${last === undefined ? 'ever' : `${((now - last) / 1000).toFixed(1)} s`}`);
        }
      }
    }
    return out;
  }

  /** After healing and a restore of every host: every domU home, running once; no away records left. */
  atEnd(): string[] {
    const sim = this.w.fleet.sim;
    const out: string[] = [];
    const left = new Set<string>();
    const alarms = this.w.alarms();
    const ledgers = new Map(this.w.def.hosts.map((h) => [h, readLedger(sim, h)]));
    // an ALARM a Dom0's ledger keeps as unsettled waits for a person (the agent that raised it may
    // have died before its log or result reached anyone here: the record is the ALARM's trace)
    const unsettled = new Set([...ledgers.values()].flatMap((l) => Object.keys(l?.unsettled ?? {})));
    const recorded = new Set([...ledgers.values()].flatMap((l) => [...Object.keys(l?.away ?? {}), ...Object.keys(l?.visitors ?? {})]));
    for (const d of this.w.def.domus) {
      const rows = sim.state().domains.filter((x) => x.name === d.name);
      const halves = sim.state().domains.filter((x) => x.name === `${d.name}--incoming` || x.name === `${d.name}--migratedaway`);
      // An ambiguous ending raised as an ALARM is a person's to settle: never a second start. So is
      // one whose domU then runs nowhere with no ledger knowing of it (the agent running the
      // migration died before it could write, and the host the domU reached lost power): the
      // ALARM reached the operator, and no Dom0 can tell "lost" from "shut down by hand".
      const lostUnrecorded = rows.length === 0 && halves.length === 0 && !recorded.has(d.name);
      if ((rows.length === 0 && (halves.length > 0 || lostUnrecorded) && alarms.has(d.name)) || unsettled.has(d.name)) {
        left.add(d.name);
        if (rows.length > 1) out.push(`at the end ${d.name}, left to a person after an ALARM, runs ${rows.length} times (${rows.map((r) => r.host).join(', ')})`);
        continue;
      }
      if (rows.length !== 1) out.push(`at the end ${d.name} runs ${rows.length} times (${rows.map((r) => r.host).join(', ') || 'nowhere'})`);
      else if (rows[0]?.host !== d.home) out.push(`at the end ${d.name} runs on ${rows[0]?.host ?? '?'}, not at its home ${d.home}`);
    }
    for (const [h, ledger] of ledgers) {
      if (ledger === null) continue;
      const away = Object.keys(ledger.away).filter((n) => !left.has(n));
      const visitors = Object.keys(ledger.visitors).filter((n) => !left.has(n));
      if (away.length > 0) out.push(`at the end ${h}'s ledger still records away: ${away.join(', ')}`);
      if (visitors.length > 0) out.push(`at the end ${h}'s ledger still records visitors: ${visitors.join(', ')}`);
    }
    // healed and restored, the fleet is as it should be: an alert still up is a false alarm, unless
    // it is about a domU left to a person (or one of its disks)
    const personal = new Set([...left, ...this.w.def.domus.filter((d) => left.has(d.name)).map((d) => d.resource)]);
    for (const a of this.w.fleet.controller?.core.status().alerts ?? []) {
      if (!personal.has(subjectName(a.subject))) out.push(`at the end the controller still alerts: ${a.kind} ${a.subject}: ${a.message.slice(0, 200)}`);
    }
    return [...out, ...this.during()];
  }
}

interface LedgerTables {
  readonly away: Record<string, unknown>;
  readonly visitors: Record<string, unknown>;
  readonly unsettled: Record<string, unknown>;
}

function readLedger(sim: Sim, host: string): LedgerTables | null {
  try {
    const raw = JSON.parse(readFileSync(join(sim.hostRoot(host), 'var/lib/xenherd/ledger.json'), 'utf8')) as Partial<LedgerTables>;
    return { away: raw.away ?? {}, visitors: raw.visitors ?? {}, unsettled: raw.unsettled ?? {} };
  } catch {
    return null;
  }
}
