import type { ControllerCore } from '../../../controller/core/controller-core.js';
import { memoryLinkPair, type MemoryLinkPair } from '../../../shared/link/memory-link.js';
import { AGENT_LINK_PROTOCOL_VERSION, ControllerMessageSchema, type AgentMessage, type CommandMessage, type ResultData } from '../../../shared/protocol/agent-link.js';
import type { HostState, LinkDomain, LinkDomuConfig, LinkDrbdResource, LinkHome, LinkLedger, LinkXen, Maintenance } from '../../../shared/protocol/agent-link-state.js';
import type { ErrorCode } from '../../../shared/errors.js';
import type { SimClock } from '../../sim/daemon/clock.js';
import { MAINTENANCE_WORDS } from '../../../shared/text/maintenance-words.js';

export interface SimDomain {
  name: string;
  memMiB: number;
  vcpus: number;
  state: LinkDomain['state'];
  migration: LinkDomain['migration'];
}

interface LinkEnd {
  readonly core: ControllerCore;
  readonly pair: MemoryLinkPair;
  seq: number;
  open: boolean;
  cancelBeat: () => void;
}

export interface Reply {
  progress(line: string): void;
  done(ok: boolean, code: ErrorCode | null, message: string, data?: ResultData | null): void;
}

/** What a SimDom0 asks its fleet to do (migrations and starts involve other hosts). */
export interface SimWorld {
  command(host: SimDom0, c: CommandMessage, reply: Reply): void;
}

/**
 * A simulated Dom0 with its agent, as the controller sees it over the agent link: domains and
 * memory, DRBD-backed configs, homes, a ledger and the maintenance flag (with the lease rules of
 * the contract in shared/protocol/agent-link-commands.ts). It connects to one or more controller
 * cores over memory links on the deterministic clock, heartbeats, and sends a delta after every
 * change; the commands it receives are carried out by its SimWorld.
 */
export class SimDom0 {
  readonly domains = new Map<string, SimDomain>();
  readonly holds = new Set<string>();
  ledger: LinkLedger = { seq: 0, away: {}, visitors: {} };
  maintenance: Maintenance = { state: 'online', operationId: null, owner: null };
  leaseUntil = 0;
  bootId: string;
  up = true;
  capabilities = ['migrate', 'reverse', 'fleet-view', 'maintenance', 'inspect', 'cold-migrate'];
  readonly commands: CommandMessage[] = [];
  /** the DRBD resources its agent reports (none unless a test sets them and calls reportDrbd) */
  drbd: LinkDrbdResource[] = [];
  /** its toolstack and hypervisor release (null: not said, as an older agent) as its agent reports them; reportTools sends a change */
  toolstack: 'xl' | 'xm' = 'xl';
  xen: LinkXen | null = null;
  private readonly links: LinkEnd[] = [];
  private boots = 0;

  constructor(
    readonly clock: SimClock,
    readonly world: SimWorld,
    readonly name: string,
    readonly totalMiB: number,
    readonly configs: LinkDomuConfig[],
    readonly homes: LinkHome[],
  ) {
    this.bootId = `boot-${name}-0`;
  }

  get freeMiB(): number {
    return this.totalMiB - [...this.domains.values()].reduce((s, d) => s + d.memMiB, 0);
  }

  state(): HostState {
    return {
      toolstack: this.toolstack,
      ...(this.xen === null ? {} : { xen: this.xen }),
      memory: { totalMiB: this.totalMiB, freeMiB: this.freeMiB },
      maintenance: this.maintenance,
      domains: [...this.domains.values()].map((d) => ({
        name: d.migration ? `${d.name}--${d.migration}` : d.name,
        baseName: d.name,
        domid: 1,
        state: d.state,
        memMiB: d.memMiB,
        vcpus: d.vcpus,
        migration: d.migration,
      })),
      guarded: [],
      drbd: { availability: 'ok', resources: this.drbd },
      ledger: this.ledger,
      homes: this.homes,
      domus: this.configs,
    };
  }

  /** Opens a link to CORE: hello, snapshot, heartbeats. */
  connect(core: ControllerCore): void {
    if (!this.up) return;
    const pair = memoryLinkPair({ name: this.name, clock: this.clock });
    const end: LinkEnd = { core, pair, seq: 0, open: true, cancelBeat: () => undefined };
    this.links.push(end);
    core.acceptAgent(pair.controller, { host: this.name });
    pair.agent.onMessage((text) => {
      const m = ControllerMessageSchema.safeParse(JSON.parse(text));
      if (m.success && m.data.type === 'command' && end.open) this.receive(m.data, end);
    });
    pair.agent.onClose(() => {
      end.open = false;
      end.cancelBeat();
    });
    this.send(end, { type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host: this.name, bootId: this.bootId, agentVersion: '0.1.0', capabilities: this.capabilities });
    this.send(end, { type: 'snapshot', seq: ++end.seq, at: this.clock.now(), state: this.state() });
    const beat = (): void => {
      end.cancelBeat = this.clock.schedule(1_000, () => {
        if (!end.open) return;
        this.send(end, { type: 'heartbeat', at: this.clock.now() });
        beat();
      });
    };
    beat();
  }

  /** Sends every open link its DRBD section as it is now (only tests that set `drbd` call it). */
  reportDrbd(): void {
    for (const end of this.links) if (end.open) this.send(end, { type: 'delta', seq: ++end.seq, at: this.clock.now(), state: { drbd: { availability: 'ok', resources: this.drbd } } });
  }

  /** Sends every open link its toolstack and Xen release as they are now. */
  reportTools(): void {
    for (const end of this.links) if (end.open) this.send(end, { type: 'delta', seq: ++end.seq, at: this.clock.now(), state: { toolstack: this.toolstack, xen: this.xen } });
  }

  /** Sends every open link a delta with the sections that change. */
  publish(): void {
    const s = this.state();
    for (const end of this.links) {
      if (end.open) this.send(end, { type: 'delta', seq: ++end.seq, at: this.clock.now(), state: { domains: s.domains, memory: s.memory, ledger: s.ledger, maintenance: s.maintenance } });
    }
  }

  /** The agent process dies: links drop without a close frame (the hypervisor goes on). */
  crashAgent(): void {
    this.up = false;
    for (const end of this.links.splice(0)) {
      end.open = false;
      end.cancelBeat();
      end.pair.drop();
    }
  }

  /** The agent starts again (same boot) and connects to CORES; an agent that starts counts an active lease as renewed now for 60 s. */
  restartAgent(cores: readonly ControllerCore[]): void {
    this.up = true;
    if (this.maintenance.state === 'draining' || this.maintenance.state === 'restoring') this.leaseUntil = this.clock.now() + 60_000;
    for (const c of cores) this.connect(c);
  }

  /** The Dom0 reboots: every domain is gone, a new boot id; the maintenance flag and ledger stay (on disk). */
  reboot(): void {
    this.crashAgent();
    this.domains.clear();
    this.holds.clear();
    this.bootId = `boot-${this.name}-${++this.boots}`;
  }

  /** sees each command as it arrives, before it is run (a test stops the agent right then) */
  onCommand: (c: CommandMessage) => void = () => undefined;

  private receive(c: CommandMessage, end: LinkEnd): void {
    this.commands.push(c);
    this.onCommand(c);
    const reply: Reply = {
      progress: (line) => {
        if (end.open) this.send(end, { type: 'progress', commandId: c.commandId, line });
      },
      done: (ok, code, message, data = null) => {
        if (end.open) this.send(end, { type: 'result', commandId: c.commandId, ok, code, message, detail: null, data });
      },
    };
    if (!this.up) return;
    if (c.op === 'maintenance') return this.setMaintenance(c, reply);
    this.world.command(this, c, reply);
  }

  /** The owner rules of the `maintenance` op, in order. */
  private setMaintenance(c: Extract<CommandMessage, { op: 'maintenance' }>, reply: Reply): void {
    const now = this.clock.now();
    const cur = this.maintenance;
    const report = (): ResultData => ({ kind: 'maintenance', maintenance: this.maintenance, leaseLeftMs: Math.max(0, Math.min(3_600_000, this.leaseUntil - now)) });
    if (!c.from.includes(cur.state)) return reply.done(false, 'XH_ERR_REFUSED', `the flag is ${cur.state}, not ${c.from.join('|')}`, report());
    const active = cur.state === 'draining' || cur.state === 'restoring';
    if (c.state !== 'online' && active && now < this.leaseUntil && (c.operationId !== cur.operationId || c.owner !== cur.owner)) {
      return reply.done(false, 'XH_ERR_LOCKED', `${this.name} is ${cur.state} for operation ${cur.operationId} of ${cur.owner}`, report());
    }
    if (c.state === 'maintenance' && this.domains.size > 0) return reply.done(false, 'XH_ERR_REFUSED', `${this.domains.size} domain(s) run here: ${[...this.domains.keys()].join(', ')}`, report());
    this.maintenance = c.state === 'online' ? { state: 'online', operationId: null, owner: null } : { state: c.state, operationId: c.operationId, owner: c.owner };
    this.leaseUntil = c.state === 'draining' || c.state === 'restoring' ? now + c.leaseMs : 0;
    if (cur.state !== this.maintenance.state || cur.operationId !== this.maintenance.operationId || cur.owner !== this.maintenance.owner) this.publish();
    reply.done(true, null, `${this.name} is ${MAINTENANCE_WORDS[c.state]}`, report());
  }

  private send(end: LinkEnd, m: AgentMessage): void {
    if (end.open) end.pair.agent.send(JSON.stringify(m));
  }
}
